// The conversation of the chat page: its messages (each reply's text a signal the streamed tokens are appended to),
// the session it lives in (an anonymous session's secret kept until a sign-in claims it), and the compare selection.
import { type Signal, signal } from '@preact/signals';
import { streamTurn } from '../../api/chat';
import { hasAccessToken } from '../../api/client';
import { ApiError, apiErrorFrom } from '../../api/errors';
import { claimSession, sessionMessages } from '../../api/history';
import type { Card, ChatEvents, HistoryMessage } from '../../api/types';
import { noteLive, noteStored, type ReservationView } from './reservations';
import { cardFromListing, listingsOf, type ReservationWidget, WIDGET_TOOLS, type Widget, widgetFrom } from './tools';
import { loadMyViewings } from './viewings';

export type ToolState = 'running' | 'ok' | 'failed';

export interface ToolActivity {
  id: string;
  name: string;
  args: Record<string, unknown>;
  state: ToolState;
  summary: string;
}

export interface ChatMessage {
  key: number;
  role: 'user' | 'assistant';
  /** Appended to token by token; bound straight to a text node (no render of the list per token). */
  text: Signal<string>;
  tools: Signal<ToolActivity[]>;
  cards: Signal<Card[]>;
  widgets: Signal<Widget[]>;
  state: Signal<'streaming' | 'done' | 'failed'>;
  error: Signal<unknown>;
  /** The rules brain answered because the model was unavailable. */
  fallback: Signal<boolean>;
}

/** The session of the conversation; `secret` is set while it is anonymous. */
export interface ConversationSession {
  id: string;
  secret: string | null;
}

/** The conversation's session could not be opened any more (purged, or claimed on another device). */
export class ConversationGoneError extends Error {
  constructor() {
    super('conversation gone');
    this.name = 'ConversationGoneError';
  }
}

/** The agent's 409 on a turn: the conversation's previous turn is still being answered (another tab or device). */
export class TurnInProgressError extends Error {
  constructor() {
    super('turn in progress');
    this.name = 'TurnInProgressError';
  }
}

const STORAGE_KEY = 'osool.conversation';
export const MAX_COMPARE = 4;

export const messages = signal<ChatMessage[]>([]);
export const busy = signal(false);
export const loadingHistory = signal(false);
export const conversation = signal<ConversationSession | null>(readStored());
export const selected = signal<Card[]>([]);

let nextKey = 1;

function readStored(): ConversationSession | null {
  try {
    const raw = window.localStorage.getItem(STORAGE_KEY);
    const value = raw ? (JSON.parse(raw) as ConversationSession) : null;
    return value && typeof value.id === 'string' ? { id: value.id, secret: value.secret ?? null } : null;
  } catch {
    return null;
  }
}

function keep(value: ConversationSession | null): void {
  conversation.value = value;
  try {
    if (value) window.localStorage.setItem(STORAGE_KEY, JSON.stringify(value));
    else window.localStorage.removeItem(STORAGE_KEY);
  } catch {
    // storage refused: the conversation lasts for this page only
  }
}

function newMessage(role: ChatMessage['role'], text: string, state: 'streaming' | 'done'): ChatMessage {
  return {
    key: nextKey++,
    role,
    text: signal(text),
    tools: signal([]),
    cards: signal([]),
    widgets: signal([]),
    state: signal(state),
    error: signal(null),
    fallback: signal(false),
  };
}

function onEvent<K extends keyof ChatEvents>(reply: ChatMessage, name: K, data: ChatEvents[K]): void {
  switch (name) {
    case 'token':
      reply.text.value += (data as ChatEvents['token']).text;
      return;
    case 'session': {
      const opened = data as ChatEvents['session'];
      const secret = opened.session_secret ?? (conversation.value?.id === opened.session_id ? conversation.value.secret : null);
      keep({ id: opened.session_id, secret: hasAccessToken() ? null : secret });
      return;
    }
    case 'tool_call': {
      const call = data as ChatEvents['tool_call'];
      const id = call.id ?? `${call.name}-${reply.tools.value.length}`;
      reply.tools.value = [...reply.tools.value, { id, name: call.name, args: call.arguments ?? {}, state: 'running', summary: '' }];
      return;
    }
    case 'tool_result': {
      const result = data as ChatEvents['tool_result'];
      const tools = reply.tools.value.slice();
      const index = tools.findIndex((tool) =>
        result.id ? tool.id === result.id : tool.name === result.name && tool.state === 'running',
      );
      const tool = tools[index];
      if (tool) {
        tools[index] = { ...tool, state: result.ok ? 'ok' : 'failed', summary: result.summary };
        reply.tools.value = tools;
      }
      return;
    }
    case 'listings':
      reply.cards.value = (data as ChatEvents['listings']).listings;
      return;
    case 'done':
      reply.fallback.value = Boolean((data as ChatEvents['done']).fallback);
      reply.state.value = 'done';
      void loadWidgets(reply);
      return;
    case 'error': {
      const failure = data as ChatEvents['error'];
      reply.error.value = apiErrorFrom(failure.status, failure);
      reply.state.value = 'failed';
      return;
    }
    case 'reservation': {
      // A reservation Amr made in the turn, pending then confirmed or failed: shown in the reply, followed live.
      const made = data as ChatEvents['reservation'];
      const widget: ReservationWidget = {
        kind: 'reservation',
        id: made.reservation_id,
        listingId: made.property_id,
        title: listingTitle(made.property_id),
        status: made.status as ReservationWidget['status'],
        depositEgp: made.deposit_egp,
        expiresAt: made.expires_at,
      };
      const others = reply.widgets.value.filter((w) => !(w.kind === 'reservation' && w.id === widget.id));
      reply.widgets.value = [...others, widget];
      noteLive(reservationView(widget));
      return;
    }
  }
}

/** Sends a message to Amr and streams his reply into the conversation. */
export async function send(text: string): Promise<void> {
  const message = text.trim();
  if (!message || busy.value) return;
  const reply = newMessage('assistant', '', 'streaming');
  messages.value = [...messages.value, newMessage('user', message, 'done'), reply];
  busy.value = true;
  const current = conversation.value;
  try {
    await streamTurn(
      // Signed in with an anonymous session's secret still held (its claim failed): sending both claims it.
      { message, sessionId: current?.id ?? null, secret: current?.secret ?? null },
      (name, data) => onEvent(reply, name, data),
    );
    if (reply.state.value === 'streaming') reply.state.value = 'done';
  } catch (error) {
    if (current && error instanceof ApiError && (error.status === 404 || error.status === 401)) {
      // The session is gone or no longer opens with what we hold: the next message starts a new conversation.
      keep(null);
      reply.error.value = new ConversationGoneError();
    } else if (error instanceof ApiError && error.status === 409) {
      reply.error.value = new TurnInProgressError();
    } else {
      reply.error.value = error;
    }
    reply.state.value = 'failed';
  } finally {
    busy.value = false;
  }
}

type StoredCall = { id?: string; name?: string; arguments?: Record<string, unknown> };

/** The full results behind a reply's mortgage, yield, comparison and viewing times (the stream carries a one-line
 * summary only), read from the turn as chat-history stored it. */
async function loadWidgets(reply: ChatMessage): Promise<void> {
  // A viewing that needs a sign-in is a failed call with a widget all the same (the time picked, and the way in).
  const shown = (t: ToolActivity) => WIDGET_TOOLS.has(t.name) && (t.state === 'ok' || t.name === 'schedule_viewing');
  const wanted = new Set(reply.tools.value.filter(shown).map((t) => t.id));
  const current = conversation.value;
  if (wanted.size === 0 || !current) return;
  try {
    const page = await sessionMessages(current.id, current.secret, 20);
    // A reservation's widget came with its events during the turn; it stays.
    const widgets: Widget[] = reply.widgets.value.filter((widget) => widget.kind === 'reservation');
    for (const stored of page.messages) {
      const call = stored.tool_calls?.[0] as StoredCall | undefined;
      if (stored.role !== 'tool' || !call?.id || !call.name || !wanted.has(call.id)) continue;
      const widget = widgetFrom(call.name, parse(stored.content), call.arguments ?? {});
      if (widget) widgets.push(widget);
    }
    reply.widgets.value = widgets;
    // Amr booked a viewing: the buyer's list learns it, so every offer of that listing shows the booking.
    if (widgets.some((widget) => widget.kind === 'viewing' && widget.booked)) void loadMyViewings();
  } catch {
    // The reply's words already say the numbers; the widget is a nicety.
  }
}

function parse(content: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(content);
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** The stored conversation as messages again (after a reload, or on another device once signed in). */
export function messagesFromHistory(stored: HistoryMessage[]): ChatMessage[] {
  const result: ChatMessage[] = [];
  let tools: ToolActivity[] = [];
  let widgets: Widget[] = [];
  const listings = new Map<string, Card>();
  for (const item of stored) {
    if (item.role === 'user') {
      result.push(newMessage('user', item.content, 'done'));
    } else if (item.role === 'tool') {
      const call = (item.tool_calls?.[0] ?? {}) as { id?: string; name?: string; arguments?: Record<string, unknown> };
      const content = parse(item.content);
      const name = call.name ?? 'tool';
      tools.push({ id: call.id ?? `${name}-${tools.length}`, name, args: call.arguments ?? {}, state: content.ok === false ? 'failed' : 'ok', summary: '' });
      for (const listing of listingsOf(content)) listings.set(listing.id, cardFromListing(listing));
      const widget = widgetFrom(name, content, call.arguments ?? {});
      if (widget) widgets.push(widget);
      if (widget?.kind === 'reservation') noteStored(reservationView(widget));
    } else {
      const reply = newMessage('assistant', item.content, 'done');
      reply.tools.value = tools;
      reply.widgets.value = widgets;
      reply.cards.value = (item.property_ids ?? []).flatMap((id) => listings.get(id) ?? []);
      result.push(reply);
      tools = [];
      widgets = [];
    }
  }
  return result;
}

/** Shows the stored conversation when the page opens with one and nothing on screen. */
export async function restoreConversation(): Promise<void> {
  const current = conversation.value;
  if (!current || messages.value.length > 0 || loadingHistory.value) return;
  loadingHistory.value = true;
  try {
    const page = await sessionMessages(current.id, current.secret, 100);
    if (messages.value.length === 0) messages.value = messagesFromHistory(page.messages);
  } catch (error) {
    if (error instanceof ApiError && (error.status === 404 || error.status === 401)) keep(null);
  } finally {
    loadingHistory.value = false;
  }
}

/** After a sign-in: the anonymous conversation becomes the user's (chat-history's claim), on every device. */
export async function claimAnonymousConversation(): Promise<void> {
  const current = conversation.value;
  if (!current?.secret) return;
  try {
    await claimSession(current.id, current.secret);
    keep({ id: current.id, secret: null });
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) keep(null);
    // Otherwise the secret is kept: the next turn sends it with the token, and the agent claims the session then.
  }
}

/** Another of the user's conversations (from the History page): the chat page shows it and the next message
 * continues it. */
export function openConversation(sessionId: string): void {
  messages.value = [];
  selected.value = [];
  keep({ id: sessionId, secret: null });
}

/** The title of a listing shown in this conversation (a reservation event names only its id). */
export function listingTitle(listingId: string): string {
  for (const message of messages.value) {
    const card = message.cards.value.find((c) => c.id === listingId);
    if (card) return card.title;
  }
  return '';
}

function reservationView(widget: ReservationWidget): ReservationView {
  return {
    id: widget.id,
    listingId: widget.listingId,
    title: widget.title,
    status: widget.status,
    depositEgp: widget.depositEgp,
    expiresAt: widget.expiresAt,
    error: null,
    made: Date.now(),
  };
}

/** A new conversation; also what signing out does (the next person at this browser sees nothing of it). */
export function resetConversation(): void {
  messages.value = [];
  selected.value = [];
  keep(null);
}

export function toggleSelected(card: Card): void {
  const current = selected.value;
  if (current.some((c) => c.id === card.id)) selected.value = current.filter((c) => c.id !== card.id);
  else if (current.length < MAX_COMPARE) selected.value = [...current, card];
}
