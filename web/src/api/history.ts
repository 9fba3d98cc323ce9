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
