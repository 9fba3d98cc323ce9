// What can go wrong talking to the API, and how it is said to a person (never the raw JSON).
import type { Messages } from '../i18n';

/** An answer of the API with a 4xx or 5xx: the envelope {"error": {"code", "message", "request_id", "details"?}}. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfter: number | null = null,
    readonly requestId: string | null = null,
    readonly details: unknown = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The request never got an answer: no network, or the gateway could not be reached. */
export class NetworkError extends Error {
  constructor(readonly offline: boolean) {
    super(offline ? 'offline' : 'unreachable');
    this.name = 'NetworkError';
  }
}

/** The refresh token was refused: the person has to sign in again. */
export class SessionExpiredError extends Error {
  constructor() {
    super('session expired');
    this.name = 'SessionExpiredError';
  }
}

interface Envelope {
  error?: { code?: unknown; message?: unknown; request_id?: unknown; details?: unknown };
}

function retryAfterOf(response: Response | null, details: unknown): number | null {
  const header = response?.headers.get('Retry-After');
  if (header && /^\d+$/.test(header.trim())) return Number(header.trim());
  if (header) {
    const when = Date.parse(header);
    if (!Number.isNaN(when)) return Math.max(1, Math.ceil((when - Date.now()) / 1000));
  }
  // Auth's throttle says retry_after, the agent's turn limit retry_after_seconds.
  if (details && typeof details === 'object') {
    const record = details as Record<string, unknown>;
    for (const key of ['retry_after', 'retry_after_seconds']) {
      const value = record[key];
      if (typeof value === 'number' && value > 0) return Math.ceil(value);
    }
  }
  return null;
}

/** The envelope of an error body (already parsed or not), tolerant of anything else: a proxy's HTML page included. */
export function apiErrorFrom(status: number, body: unknown, response: Response | null = null): ApiError {
  const error = (body && typeof body === 'object' ? (body as Envelope).error : undefined) ?? {};
  const code = typeof error.code === 'string' ? error.code : `http_${status}`;
  const message = typeof error.message === 'string' ? error.message : '';
  const requestId = typeof error.request_id === 'string' ? error.request_id : null;
  return new ApiError(status, code, message, retryAfterOf(response, error.details), requestId, error.details ?? null);
}

export async function errorFromResponse(response: Response): Promise<ApiError> {
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  return apiErrorFrom(response.status, body, response);
}

/** One sentence a person understands, in the page's language. */
export function describeError(error: unknown, m: Messages): string {
  if (error instanceof NetworkError) return error.offline ? m.errors.offline : m.errors.unreachable;
  if (error instanceof SessionExpiredError) return m.errors.sessionExpired;
  if (!(error instanceof ApiError)) return m.errors.generic('client');
  switch (error.code) {
    case 'email_not_verified':
      return m.errors.emailNotVerified;
    case 'invalid_code':
      return m.errors.invalidLink;
    case 'weak_password':
      return m.errors.weakPassword(error.message);
    default:
      break;
  }
  switch (error.status) {
    case 429:
      return error.retryAfter ? m.errors.rateLimited(error.retryAfter) : m.errors.rateLimitedShort;
    case 401:
      return m.errors.sessionExpired; // the sign-in form says "wrong email or password" itself
    case 403:
      return m.errors.forbidden;
    case 404:
      return m.errors.notFound;
    case 409:
      // Any 409 but the chat's (a turn still being answered: the chat says so itself) is a state that changed meanwhile.
      return m.errors.conflict;
    case 413:
      return m.errors.tooLarge;
    case 400:
    case 422:
      return m.errors.invalidInput;
    case 502:
    case 503:
    case 504:
      return m.errors.unavailable;
    default:
      return m.errors.generic(error.code);
  }
}
