// The chat-history service's routes the client uses (services/chat-history/README.md).
import { api } from './client';
import type { HistoryPage } from './types';

/** Who opens a session: the signed-in token (attached by the client), or an anonymous session's secret. */
function secretHeader(secret: string | null): Record<string, string> {
  return secret ? { 'X-Session-Secret': secret } : {};
}

export function sessionMessages(sessionId: string, secret: string | null, limit = 100): Promise<HistoryPage> {
  return api(`/api/history/sessions/${encodeURIComponent(sessionId)}/messages?limit=${limit}`, {
    headers: secretHeader(secret),
  });
}

/** Signed in, with the anonymous session's secret: the conversation becomes the user's, on every device. */
export function claimSession(sessionId: string, secret: string): Promise<unknown> {
  return api(`/api/history/sessions/${encodeURIComponent(sessionId)}/claim`, {
    method: 'POST',
    headers: secretHeader(secret),
  });
}

/** A conversation as the History page lists it (chat-history's Session). */
export interface SessionSummary {
  id: string;
  /** The first message, as the agent titled the session (null for one never written to). */
  title: string | null;
  owned: boolean;
  message_count: number;
  created_at: string;
  last_activity_at: string;
}

export interface SessionList {
  sessions: SessionSummary[];
  next_cursor: string | null;
}

/** One message that matched a search, with its conversation's title. */
export interface SearchHit {
  id: number;
  session_id: string;
  role: 'user' | 'assistant' | 'tool';
  content: string;
  session_title: string | null;
  created_at: string;
  rank: number;
}

/** The signed-in user's conversations, most recently active first; `cursor` for the next page. */
export function listSessions(cursor: string | null = null, limit = 20): Promise<SessionList> {
  const query = new URLSearchParams({ limit: String(limit) });
  if (cursor) query.set('cursor', cursor);
  return api(`/api/history/sessions?${query.toString()}`);
}

/** Full-text search over the user's own messages, English and Arabic (chat-history's index). */
export function searchHistory(q: string, limit = 50): Promise<{ results: SearchHit[] }> {
  return api(`/api/history/search?${new URLSearchParams({ q, limit: String(limit) }).toString()}`);
}

export function deleteSession(sessionId: string): Promise<void> {
  return api(`/api/history/sessions/${encodeURIComponent(sessionId)}`, { method: 'DELETE' });
}

export function deleteAllSessions(): Promise<{ deleted: number }> {
  return api('/api/history/sessions', { method: 'DELETE' });
}
