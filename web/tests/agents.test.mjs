// The agents' pages through the real stack: a buyer chats with Amr (the test stack's rules brain) and becomes a HOT
// lead assigned to the one agent on duty; the agent sees it in the pipeline with its score, temperature and reasons,
// filters by temperature, moves it along, opens its conversation, and finds the viewing the buyer booked on the
// calendar's next week. English and Arabic, desktop and phone, axe on every page, the keyboard alone where it matters.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import {
  assertNoSideScroll,
  assertVisibleFocus,
  BASE,
  DESKTOP,
  expectAccessible,
  suiteBrowser,
  open,
  PHONE,
  screenshot,
  tabTo,
  verifiedAccount,
} from './helpers.mjs';
import { addDays, cairoDay, call, everyoneOffDuty, logIn, makeAgent, saturdayOf, signIn } from './people.mjs';

const BUYER_HOT = '3 bedroom apartment in New Cairo under 8M, paying cash, ready to move. My number is 0100 555 7788';
const BROWSING = 'Just looking around, what do you have in Maadi?';

const browser = suiteBrowser();
let agent;
let hot; // the HOT lead, as the API gives it
let browsing; // a lead that is not HOT, unassigned
let viewing;
let listingTitle;

async function chatAs(token, message, session = null) {
  return call('/api/chat', {
    token,
    body: { message, ...(session ? { session_id: session } : {}) },
  });
}

async function leadOfSession(token, sessionId) {
  const page = await call('/api/leads?limit=100', { token });
  const lead = page.items.find((item) => item.session_ids.includes(sessionId));
  assert.ok(lead, `no lead names session ${sessionId}`);
  return lead;
}

before(async () => {
  await everyoneOffDuty();
  agent = await makeAgent('web-agent');
  const agentToken = await logIn(agent);
  await call('/api/leads/agents/me/duty', { token: agentToken, method: 'PUT', body: { on_duty: true } });
  await call('/api/viewings/availability', {
    token: agentToken,
    method: 'PUT',
    body: {
      timezone: 'Africa/Cairo',
      slot_minutes: 60,
      weekly: [0, 1, 2, 3, 4, 5, 6].map((weekday) => ({ weekday, start: '10:00', end: '16:00' })),
      exceptions: [],
    },
  });

  // The buyer, signed in, so the viewing they book keeps their lead.
  const buyer = await verifiedAccount('web-buyer');
  const buyerToken = await logIn(buyer);
  const first = await chatAs(buyerToken, BUYER_HOT);
  assert.ok(first.listings.length > 0, `no listings in Amr's reply: ${first.reply}`);
  await chatAs(buyerToken, 'yes please', first.session_id); // consent to share the number
  const named = await chatAs(buyerToken, 'my name is Karim Adel', first.session_id); // the name the agent will see
  assert.match(named.reply, /^Nice to meet you, Karim Adel\./);
  hot = await leadOfSession(agentToken, first.session_id);
  assert.equal(hot.temperature, 'HOT');
  assert.equal(hot.assigned_agent_id, agent.id);
  assert.ok(hot.reasons.length >= 3);

  const anonymous = await chatAs(null, BROWSING);
  browsing = await leadOfSession(agentToken, anonymous.session_id);
  assert.notEqual(browsing.temperature, 'HOT');
  assert.equal(browsing.assigned_agent_id, null);

  // A viewing next week (Cairo), so the calendar has to be moved forward to show it.
  const listing = first.listings[0];
  listingTitle = listing.title;
  const nextSaturday = addDays(saturdayOf(cairoDay(new Date())), 7);
  const slots = await call(`/api/viewings/slots?listing_id=${listing.id}&from=${nextSaturday}&days=7&agent_id=${agent.id}`);
  const slot = slots.find((item) => item.agent_id === agent.id);
  assert.ok(slot, `no slot of the agent next week: ${JSON.stringify(slots.slice(0, 3))}`);
  viewing = await call('/api/viewings', {
    token: buyerToken,
    body: { listing_id: listing.id, starts_at: slot.starts_at, agent_id: agent.id },
    expect: 201,
  });
  assert.equal(viewing.lead_id, hot.id);
});


test('the agent sees the HOT lead with its score and reasons, filters by temperature and moves it along', async () => {
  const { context, page, problems } = await open(browser);
  await signIn(page, agent, '/agents');
  const card = page.locator(`[data-lead-id="${hot.id}"]`);
  const newGroup = page.locator('section[aria-labelledby="group-new"]');
  await newGroup.locator(`[data-lead-id="${hot.id}"]`).waitFor();
  assert.match(await card.innerText(), /Hot/);
  assert.match(await card.innerText(), new RegExp(`Score ${hot.score}\\b`));
  assert.match(await card.innerText(), /Apartment · 3 bedrooms · New Cairo · up to EGP\s8M/);
  assert.match(await card.innerText(), /Yours/);
  // The reasons, as the scorer gave them, with their points.
  await card.getByText('Why this score').click();
  const reasons = await card.locator('.lead-reason').allInnerTexts();
  assert.equal(reasons.length, hot.reasons.length);
  assert.ok(reasons.some((text) => /^Budget \+25 points/.test(text) && text.includes('budget stated: up to 8,000,000 EGP')));
  // The unassigned lead is there too, and can be taken.
  await page.locator(`[data-lead-id="${browsing.id}"]`).getByRole('button', { name: 'Take this lead' }).waitFor();
  await expectAccessible(page, 'the pipeline');
  await screenshot(page, 'agents-pipeline-en-desktop');

  // Temperature filter: the address keeps it, the list follows it.
  const label = browsing.temperature === 'WARM' ? 'Warm' : 'Cold';
  await page.getByLabel('Temperature').selectOption({ label });
  await page.waitForURL((url) => url.searchParams.get('temperature') === browsing.temperature);
  await page.locator(`[data-lead-id="${browsing.id}"]`).waitFor();
  await card.waitFor({ state: 'detached' });
  await page.getByLabel('Temperature').selectOption({ label: 'Hot' });
  await card.waitFor();
  assert.equal(await page.locator(`[data-lead-id="${browsing.id}"]`).count(), 0);

  // Moving it along: the card changes group and the keyboard follows it there.
  await card.getByLabel('Status').selectOption({ label: 'Contacted' });
  await card.getByRole('button', { name: 'Move' }).click();
  const moved = page.locator(`section[aria-labelledby="group-contacted"] [data-lead-id="${hot.id}"]`);
  await moved.waitFor();
  await page.waitForFunction((id) => document.activeElement?.id === `lead-${id}`, hot.id);
  assert.equal((await call(`/api/leads/${hot.id}`, { token: await logIn(agent) })).lead.status, 'contacted');
  await page.getByRole('status').filter({ hasText: 'Moved to Contacted.' }).waitFor({ state: 'attached' });

  // Phone width: one column, nothing sideways.
  await page.setViewportSize(PHONE);
  await assertNoSideScroll(page);
  await screenshot(page, 'agents-pipeline-en-phone');
  assert.deepEqual(problems, []);
  await context.close();
});

test('a lead opens with its conversation, contact, score history and audit trail; a note goes with a status', async () => {
  const { context, page, problems } = await open(browser);
  // The agent's own leads: on a stack other tests share, every unassigned lead would come before it in the tab order.
  await signIn(page, agent, '/agents?assigned=me');
  // The keyboard alone: from the pipeline into the lead.
  await page.locator(`[data-lead-id="${hot.id}"]`).waitFor();
  await tabTo(page, `#lead-${hot.id}`);
  await assertVisibleFocus(page);
  await page.keyboard.press('Enter');
  await page.waitForURL(`${BASE}/agents/leads/${hot.id}`);
  await page.getByRole('heading', { level: 1, name: /Buyer lead/ }).waitFor();

  const conversation = page.locator('section[aria-labelledby="conversation-title"]');
  await conversation.getByText(BUYER_HOT).waitFor();
  const lines = await conversation.locator('.lead-line').count();
  assert.ok(lines >= 4, `${lines} lines of conversation`); // two messages of the buyer, two replies of Amr
  assert.equal(await conversation.locator('.lead-line-amr').count(), lines / 2);
  const contact = page.locator('section[aria-labelledby="contact-title"]');
  await contact.getByRole('link', { name: '+201005557788' }).waitFor();
  await contact.getByText('Name: Karim Adel').waitFor();
  const trail = page.locator('section[aria-labelledby="trail-title"]');
  await trail.getByText(/Status New → Contacted — You/).waitFor();
  await trail.getByText(/Assigned in turn to You/).waitFor();
  assert.ok((await page.locator('section[aria-labelledby="history-title"] li').count()) >= 1);
  await expectAccessible(page, 'a lead');
  await screenshot(page, 'agents-lead-en-desktop');

  // A status with a note, by keyboard: the note lands in the trail.
  const statusBox = page.locator('section[aria-labelledby="status-title"]');
  await statusBox.getByLabel('Status').selectOption('viewing');
  await statusBox.getByLabel('Note for the history (optional)').fill('Viewing booked for next week');
  await tabTo(page, 'section[aria-labelledby="status-title"] button[type="submit"]');
  await page.keyboard.press('Enter');
  await trail.getByText(/Status Contacted → Viewing — You/).waitFor();
  await trail.getByText('Viewing booked for next week').waitFor();

  // Arabic, right to left.
  await page.getByRole('button', { name: /Switch the language to Arabic/ }).click();
  assert.equal(await page.getAttribute('html', 'dir'), 'rtl');
  await page.getByRole('heading', { level: 1, name: /عميل مشترٍ/ }).waitFor();
  await page.getByText('المحادثة مع عمرو').waitFor();
  assert.match(await page.locator('.lead-facts').innerText(), /كاش/);
  await expectAccessible(page, 'a lead in Arabic');
  await screenshot(page, 'agents-lead-ar-desktop');
  await page.setViewportSize(PHONE);
  await assertNoSideScroll(page);
  await screenshot(page, 'agents-lead-ar-phone');
  await page.setViewportSize(DESKTOP);
  await page.goto('/agents');
  await page.locator(`[data-lead-id="${hot.id}"]`).waitFor();
  await expectAccessible(page, 'the pipeline in Arabic');
  await screenshot(page, 'agents-pipeline-ar-desktop');
  assert.deepEqual(problems, []);
  await context.close();
});

test('the calendar shows the booked viewing in its Cairo week, a week on; the weeks go back and forth', async () => {
  const { context, page, problems } = await open(browser);
  await signIn(page, agent, '/agents/viewings');
  const thisSaturday = saturdayOf(cairoDay(new Date()));
  const item = page.locator(`[data-viewing-id="${viewing.id}"]`);
  await page.getByRole('heading', { level: 1, name: 'Viewings' }).waitFor();
  await page.locator('.week-day').first().waitFor();
  assert.equal(await item.count(), 0, 'the viewing is next week, not this one');
  await expectAccessible(page, 'the calendar');

  await page.getByRole('link', { name: 'Next week' }).click();
  await page.waitForURL((url) => url.searchParams.get('week') === addDays(thisSaturday, 7));
  await item.waitFor();
  // In the column of its Cairo day, at its Cairo time.
  const starts = new Date(viewing.starts_at);
  const weekday = new Intl.DateTimeFormat('en-GB', { weekday: 'long', timeZone: 'Africa/Cairo' }).format(starts);
  const time = new Intl.DateTimeFormat('en-US', { hour: 'numeric', minute: '2-digit', timeZone: 'Africa/Cairo' })
    .format(starts)
    .replace(/\s?[AP]M$/, '');
  const day = page.locator('.week-day').filter({ has: item });
  assert.match(await day.locator('h3').innerText(), new RegExp(`^${weekday}`));
  assert.match(await item.locator('.week-viewing-time').innerText(), new RegExp(`^${time}\\b`));
  await item.getByRole('link', { name: listingTitle }).waitFor();
  assert.equal(await item.getByRole('link', { name: 'Open the lead' }).getAttribute('href'), `/agents/leads/${hot.id}`);
  await expectAccessible(page, 'the calendar, next week');
  await screenshot(page, 'agents-calendar-en-desktop');
  await page.setViewportSize(PHONE);
  await assertNoSideScroll(page);
  await screenshot(page, 'agents-calendar-en-phone');
  await page.setViewportSize(DESKTOP);

  // Back a week, by the keyboard (the focus is still on "Next week": back to "Previous week").
  await tabTo(page, `a[href="/agents/viewings?week=${thisSaturday}"]`, { backwards: true });
  await assertVisibleFocus(page);
  await page.keyboard.press('Enter');
  await page.waitForURL((url) => url.searchParams.get('week') === thisSaturday);
  await item.waitFor({ state: 'detached' });

  // Arabic: the same week next, right to left.
  await page.goto(`/agents/viewings?week=${addDays(thisSaturday, 7)}`);
  await item.waitFor();
  await page.getByRole('button', { name: /Switch the language to Arabic/ }).click();
  await page.getByRole('link', { name: 'الأسبوع التالي' }).waitFor();
  assert.equal(await page.getAttribute('html', 'dir'), 'rtl');
  await expectAccessible(page, 'the calendar in Arabic');
  await screenshot(page, 'agents-calendar-ar-desktop');
  await page.setViewportSize(PHONE);
  await assertNoSideScroll(page);
  await screenshot(page, 'agents-calendar-ar-phone');
  assert.deepEqual(problems, []);
  await context.close();
});

test('a buyer who is not staff is told the agents’ pages are not theirs', async () => {
  const buyer = await verifiedAccount('web-not-staff');
  const { context, page, problems } = await open(browser);
  await signIn(page, buyer, '/agents');
  await page.getByText('Sign in with an account that may see this page.').waitFor();
  assert.equal(await page.locator('.lead-card').count(), 0);
  assert.deepEqual(problems, []);
  await context.close();
});
