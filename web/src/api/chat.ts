// One turn with Amr as a stream of server-sent events: POST /api/chat (EventSource cannot POST), read with
// eventsource-parser; each event is handed on the moment its bytes are parsed, so a token reaches the screen at once.
import { createParser } from 'eventsource-parser';
import { request } from './client';
import { NetworkError } from './errors';
import type { ChatEvents } from './types';

export type ChatEventName = keyof ChatEvents;
export type ChatEventHandler = <K extends ChatEventName>(name: K, data: ChatEvents[K]) => void;

export interface TurnRequest {
  message: string;
  sessionId: string | null;
  /** An anonymous session's secret; a signed-in caller who sends one claims the session. */
  secret: string | null;
  language?: 'auto' | 'en' | 'ar';
  signal?: AbortSignal;
}

const KNOWN = new Set<string>(['session', 'token', 'tool_call', 'tool_result', 'reservation', 'listings', 'done', 'error']);
/** A User Timing mark at each chunk's arrival: bench/web pairs it with the text reaching the screen. Cleared at every
 * turn's start, so a page keeps one turn's marks at most; a mark costs about a microsecond. */
export const CHUNK_MARK = 'osool:chat-chunk';

/** Runs the turn, calling `on` for every event in order; resolves when the stream ends. */
export async function streamTurn(turn: TurnRequest, on: ChatEventHandler): Promise<void> {
  const body: Record<string, unknown> = { message: turn.message, language: turn.language ?? 'auto' };
  if (turn.sessionId) body.session_id = turn.sessionId;
  const headers: Record<string, string> = { Accept: 'text/event-stream' };
  if (turn.secret) headers['X-Session-Secret'] = turn.secret;
  const options = turn.signal ? { body, headers, signal: turn.signal } : { body, headers };
  const response = await request('/api/chat', options);
  if (!response.body) throw new NetworkError(false);
  const parser = createParser({
    onEvent(event) {
      const name = event.event ?? 'message';
      if (!KNOWN.has(name)) return; // an event of a newer agent: ignored, the rest still shows
      on(name as ChatEventName, JSON.parse(event.data) as never);
    },
  });
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  performance.clearMarks(CHUNK_MARK);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      performance.mark(CHUNK_MARK);
      parser.feed(value);
    }
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new NetworkError(!navigator.onLine);
  } finally {
    reader.releaseLock();
  }
}
