// The people the buyer's tests need, made through the real APIs: a buyer's token (signed in by the API), signing in
// in the page, and a sales agent on duty with published viewing hours (the administrator test_browser.py gives).
import assert from 'node:assert/strict';
import { BASE, PASSWORD, verifiedAccount } from './helpers.mjs';

async function call(path, { method = 'GET', token = null, headers = {}, body } = {}) {
  const response = await fetch(`${BASE}${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null, text };
}

/** A JSON call of the API through the gateway, as a signed-in person (`token`) or anonymously. */
export const apiCall = call;

/** An access token for the account, signed in through the API. */
export async function tokenOf(account) {
  const login = await call('/api/auth/login', { method: 'POST', body: { email: account.email, password: account.password } });
  assert.equal(login.status, 200, login.text);
  return login.body.access_token;
}

/** The administrator's headers test_browser.py passes for the outbox (its bearer token is an admin's). */
export function adminHeaders() {
  const headers = JSON.parse(process.env.OSOOL_OUTBOX_HEADERS ?? '{}');
  assert.ok(headers.Authorization, 'OSOOL_OUTBOX_HEADERS carries no administrator token');
  return { Authorization: headers.Authorization };
}

/** Signs in on the page's sign-in form (the page must show it, in English or Arabic) and waits to land on `landing`. */
export async function signInHere(page, account, landing = '/') {
  await page.getByLabel(/^(Email|البريد الإلكتروني)$/).fill(account.email);
  await page.getByLabel(/^(Password|كلمة المرور)$/).fill(account.password);
  await page.getByRole('button', { name: /^(Sign in|دخول)$/ }).click();
  await page.waitForURL(`${BASE}${landing}`);
}

/** Every day 08:00-20:00 Cairo time, hour-long viewings. */
export const LONG_DAYS = {
  timezone: 'Africa/Cairo',
  slot_minutes: 60,
  weekly: [0, 1, 2, 3, 4, 5, 6].map((weekday) => ({ weekday, start: '08:00', end: '20:00' })),
};

/** The only sales agent on duty (the others are taken off duty), with these hours published: its account. */
export async function agentOnDuty(label, hours = LONG_DAYS) {
  const admin = adminHeaders();
  const agents = await call('/api/leads/agents', { headers: admin });
  assert.equal(agents.status, 200, agents.text);
  for (const agent of agents.body) {
    if (agent.on_duty) await call(`/api/leads/agents/${agent.agent_id}/duty`, { method: 'PUT', headers: admin, body: { on_duty: false } });
  }
  const account = await verifiedAccount(label);
  const me = await call('/api/auth/me', { token: await tokenOf(account) });
  const promoted = await call(`/api/auth/admin/users/${me.body.id}/role`, { method: 'PUT', headers: admin, body: { role: 'agent' } });
  assert.equal(promoted.status, 200, promoted.text);
  const token = await tokenOf(account); // a new token carries the new role
  const duty = await call('/api/leads/agents/me/duty', { method: 'PUT', token, body: { on_duty: true } });
  assert.equal(duty.status, 200, duty.text);
  const published = await call('/api/viewings/availability', { method: 'PUT', token, body: hours });
  assert.equal(published.status, 200, published.text);
  return { ...account, id: me.body.id, password: PASSWORD };
}
