// The people the browser tests need, made through the real APIs: the API called as a given person, the administrator
// test_browser.py made (OSOOL_ADMIN_EMAIL / OSOOL_ADMIN_PASSWORD), an agent made the way an administrator makes one
// (on duty, with viewing hours, when a test needs one to take leads), and signing in through the sign-in page.
import assert from 'node:assert/strict';
import { BASE, verifiedAccount } from './helpers.mjs';

/** A JSON call of the API through the gateway, as a signed-in person (`token`) or anonymously: { status, body, text }. */
export async function apiCall(path, { token = null, method, body, headers = {} } = {}) {
  const response = await fetch(`${BASE}${path}`, {
    method: method ?? (body === undefined ? 'GET' : 'POST'),
    headers: {
      Accept: 'application/json',
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null, text };
}

/** The same call, asserting the status (`expect`, 200 unless said); the parsed JSON answer. */
export async function call(path, { expect = 200, ...options } = {}) {
  const answer = await apiCall(path, options);
  assert.equal(answer.status, expect, `${options.method ?? 'GET'} ${path}: ${answer.text}`);
  return answer.body;
}

/** A fresh access token, signed in through the API (they live 15 minutes; a test run may be longer). */
export async function logIn({ email, password }) {
  return (await call('/api/auth/login', { body: { email, password } })).access_token;
}

export function adminAccount() {
  const email = process.env.OSOOL_ADMIN_EMAIL;
  const password = process.env.OSOOL_ADMIN_PASSWORD;
  assert.ok(email && password, 'OSOOL_ADMIN_EMAIL / OSOOL_ADMIN_PASSWORD are not set (tests/web/test_browser.py sets them)');
  return { email, password };
}

/** A verified user given the agent role by the administrator; { email, password, id }. */
export async function makeAgent(label) {
  const account = await verifiedAccount(label);
  const me = await call('/api/auth/me', { token: await logIn(account) });
  const admin = await logIn(adminAccount());
  await call(`/api/auth/admin/users/${me.id}/role`, { token: admin, method: 'PUT', body: { role: 'agent' } });
  return { ...account, id: me.id };
}

/** Everyone on the roster off duty, so a new HOT lead goes to the agent the test puts on duty. */
export async function everyoneOffDuty() {
  const admin = await logIn(adminAccount());
  for (const agent of await call('/api/leads/agents', { token: admin })) {
    if (agent.on_duty) {
      await call(`/api/leads/agents/${agent.agent_id}/duty`, { token: admin, method: 'PUT', body: { on_duty: false } });
    }
  }
}

/** Every day 08:00-20:00 Cairo time, hour-long viewings. */
export const LONG_DAYS = {
  timezone: 'Africa/Cairo',
  slot_minutes: 60,
  weekly: [0, 1, 2, 3, 4, 5, 6].map((weekday) => ({ weekday, start: '08:00', end: '20:00' })),
};

/** The only sales agent on duty (the others are taken off duty), with these hours published: its account. */
export async function agentOnDuty(label, hours = LONG_DAYS) {
  await everyoneOffDuty();
  const agent = await makeAgent(label);
  const token = await logIn(agent); // a new token carries the new role
  await call('/api/leads/agents/me/duty', { method: 'PUT', token, body: { on_duty: true } });
  await call('/api/viewings/availability', { method: 'PUT', token, body: hours });
  return agent;
}

/** Signs in on the page's sign-in form (the page must show it, in English or Arabic) and waits to land on `landing`. */
export async function signInHere(page, account, landing = '/') {
  await page.getByLabel(/^(Email|البريد الإلكتروني)$/).fill(account.email);
  await page.getByLabel(/^(Password|كلمة المرور)$/).fill(account.password);
  await page.getByRole('button', { name: /^(Sign in|دخول)$/ }).click();
  await page.waitForURL((url) => url.pathname === landing.split('?')[0]);
}

/** Signs in through the sign-in page, then lands on `next`. */
export async function signIn(page, account, next) {
  await page.goto(`/signin?next=${encodeURIComponent(next)}`);
  await signInHere(page, account, next);
}

/** The Cairo calendar day of an instant, YYYY-MM-DD. */
export function cairoDay(when) {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Africa/Cairo' }).format(when);
}

export function addDays(day, days) {
  const when = new Date(`${day}T00:00:00Z`);
  when.setUTCDate(when.getUTCDate() + days);
  return when.toISOString().slice(0, 10);
}

/** The Saturday on or before a day (the calendar's weeks run Saturday to Friday). */
export function saturdayOf(day) {
  return addDays(day, -((new Date(`${day}T00:00:00Z`).getUTCDay() + 1) % 7));
}
