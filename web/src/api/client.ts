// The one way the client calls the API: JSON in and out, the access token attached, one refresh and retry on a 401.
import { errorFromResponse, NetworkError, SessionExpiredError } from './errors';

/** How the client reaches the signed-in session without importing it (state/session.ts connects itself). */
export interface AuthHooks {
  /** The access token in memory, or null when signed out. */
  token(): string | null;
  /** Rotate the refresh token for a new access token; false when the session has ended. */
  refresh(): Promise<boolean>;
  /** The session ended under a request: sign out locally and tell the person. */
  expired(): void;
}

let hooks: AuthHooks = { token: () => null, refresh: async () => false, expired: () => undefined };

export function connectAuth(next: AuthHooks): void {
  hooks = next;
}

export function hasAccessToken(): boolean {
  return hooks.token() !== null;
}

export interface CallOptions {
  method?: string;
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** 'none' for the calls that sign in or refresh: no token, and a 401 is that call's own answer. */
  auth?: 'auto' | 'none';
}

async function send(path: string, options: CallOptions, token: string | null): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  if (token) headers.Authorization = `Bearer ${token}`;
  try {
    return await fetch(path, {
      method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
      headers,
      body: options.body === undefined ? null : JSON.stringify(options.body),
      signal: options.signal ?? null,
      credentials: 'same-origin',
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new NetworkError(!navigator.onLine);
  }
}

/** The answer when it is a 2xx; otherwise an ApiError, a NetworkError or a SessionExpiredError. */
export async function request(path: string, options: CallOptions = {}): Promise<Response> {
  const token = options.auth === 'none' ? null : hooks.token();
  let response = await send(path, options, token);
  if (response.status === 401 && token) {
    // An access token lives 15 minutes: one refresh, then the same request again.
    if (await hooks.refresh()) {
      response = await send(path, options, hooks.token());
    } else {
      hooks.expired();
      throw new SessionExpiredError();
    }
  }
  if (!response.ok) throw await errorFromResponse(response);
  return response;
}

export async function api<T>(path: string, options: CallOptions = {}): Promise<T> {
  const response = await request(path, options);
  if (response.status === 204 || (response.status === 202 && response.headers.get('content-length') === '0')) {
    return undefined as T;
  }
  return (await response.json()) as T;
}
