// What the staff pages' tests share: the API called as a given person, the administrator test_browser.py made
// (OSOOL_ADMIN_EMAIL / OSOOL_ADMIN_PASSWORD), an agent made the way an administrator makes one, and signing in
// through the sign-in page.
import assert from 'node:assert/strict';
import { BASE, verifiedAccount } from './helpers.mjs';

/** A call through the gateway; the parsed JSON answer, asserting the status. */
export async function call(path, { token = null, method, body, expect = 200, headers = {} } = {}) {
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
  assert.equal(response.status, expect, `${method ?? 'GET'} ${path}: ${text}`);
  return text ? JSON.parse(text) : null;
}

/** A fresh access token (they live 15 minutes; a test run may be longer). */
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

/** Signs in through the sign-in page, then lands on `next`. */
export async function signIn(page, { email, password }, next) {
  await page.goto(`/signin?next=${encodeURIComponent(next)}`);
  await page.getByLabel(/^(Email|البريد الإلكتروني)$/).fill(email);
  await page.getByLabel(/^(Password|كلمة المرور)$/).fill(password);
  await page.getByRole('button', { name: /^(Sign in|دخول)$/ }).click();
  await page.waitForURL((url) => url.pathname === next.split('?')[0]);
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
