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

export interface UploadOptions {
  /** The body's media type (the server reads JSON or CSV by it). */
  contentType: string;
  /** Bytes of the body sent so far, of the total: called as the upload goes. */
  onProgress?: (sent: number, total: number) => void;
  /** The whole body is sent; what remains is the server's work. */
  onSent?: () => void;
  signal?: AbortSignal;
}

// A file upload goes through XMLHttpRequest, not fetch: fetch reports no upload progress (a streamed request body
// would, but browsers allow one only over HTTP/2 and with no progress event either).
function sendWithProgress(path: string, body: Blob, options: UploadOptions, token: string | null): Promise<Response> {
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) {
      reject(new DOMException('The upload was stopped.', 'AbortError'));
      return;
    }
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.setRequestHeader('Content-Type', options.contentType);
    if (token) xhr.setRequestHeader('Authorization', `Bearer ${token}`);
    xhr.upload.onprogress = (event) => options.onProgress?.(event.loaded, event.lengthComputable ? event.total : body.size);
    xhr.upload.onload = () => options.onSent?.();
    const stop = () => xhr.abort();
    options.signal?.addEventListener('abort', stop, { once: true });
    xhr.onload = () => {
      options.signal?.removeEventListener('abort', stop);
      const headers = new Headers();
      for (const line of xhr.getAllResponseHeaders().trim().split(/[\r\n]+/)) {
        const at = line.indexOf(':');
        if (at > 0) headers.append(line.slice(0, at).trim(), line.slice(at + 1).trim());
      }
      // A Response, so the answer is read (and its error envelope understood) the way every other call's is.
      const empty = xhr.status === 204 || xhr.status === 205 || xhr.status === 304;
      resolve(new Response(empty ? null : xhr.responseText, { status: xhr.status, headers }));
    };
    xhr.onerror = () => {
      options.signal?.removeEventListener('abort', stop);
      reject(new NetworkError(!navigator.onLine));
    };
    xhr.onabort = () => reject(new DOMException('The upload was stopped.', 'AbortError'));
    xhr.send(body);
  });
}

/** Uploads a file as the request's body with progress; the JSON answer, or the same errors as request(). */
export async function upload<T>(path: string, body: Blob, options: UploadOptions): Promise<T> {
  const token = hooks.token();
  let response = await sendWithProgress(path, body, options, token);
  if (response.status === 401 && token) {
    if (await hooks.refresh()) {
      response = await sendWithProgress(path, body, options, hooks.token());
    } else {
      hooks.expired();
      throw new SessionExpiredError();
    }
  }
  if (!response.ok) throw await errorFromResponse(response);
  return (await response.json()) as T;
}
