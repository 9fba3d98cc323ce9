// Sign in with Google without a Google script (the CSP allows none): OpenID Connect's implicit flow, a full-page
// redirect to Google and back to /signin/google with the ID token in the fragment, checked against what we sent.
import type { SignInMethods } from '../../api/auth';

export const GOOGLE_RETURN_PATH = '/signin/google';
// sessionStorage: the tab that started the sign-in is the one Google sends back; another tab has nothing to match.
const PENDING_KEY = 'osool.google-signin';

interface Pending {
  state: string;
  nonce: string;
  next: string;
}

function randomToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/**
 * Where to send the person: Google's account chooser, for an ID token naming auth's nonce (which auth accepts once:
 * the token cannot be replayed from this browser's history), back to this origin.
 */
export function googleAuthorizationUrl(
  google: NonNullable<SignInMethods['google']>,
  nonce: string,
  next: string,
): string {
  const pending: Pending = { state: randomToken(), nonce, next };
  sessionStorage.setItem(PENDING_KEY, JSON.stringify(pending));
  const url = new URL(google.authorization_url);
  url.search = new URLSearchParams({
    client_id: google.client_id,
    redirect_uri: `${window.location.origin}${GOOGLE_RETURN_PATH}`,
    response_type: 'id_token',
    scope: 'openid email profile',
    nonce: pending.nonce,
    state: pending.state,
    prompt: 'select_account',
  }).toString();
  return url.toString();
}

export type GoogleReturn =
  | { kind: 'token'; idToken: string; next: string }
  | { kind: 'cancelled' }
  | { kind: 'mismatch' };

function nonceOf(idToken: string): string | null {
  try {
    const payload = idToken.split('.')[1] ?? '';
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
    const nonce = (JSON.parse(json) as { nonce?: unknown }).nonce;
    return typeof nonce === 'string' ? nonce : null;
  } catch {
    return null;
  }
}

/**
 * What Google sent back in the fragment, checked: the state must be the one this tab stored (no sign-in someone
 * else started), the ID token's nonce the one we asked for (no token replayed from elsewhere). The pending entry is
 * used up either way. Auth checks the token's signature, audience, issuer and expiry, and uses its nonce up.
 */
export function readGoogleReturn(fragment: string): GoogleReturn {
  const params = new URLSearchParams(fragment.replace(/^#/, ''));
  const stored = sessionStorage.getItem(PENDING_KEY);
  sessionStorage.removeItem(PENDING_KEY);
  let pending: Pending | null = null;
  try {
    pending = stored ? (JSON.parse(stored) as Pending) : null;
  } catch {
    pending = null;
  }
  if (!pending || params.get('state') !== pending.state) return { kind: 'mismatch' };
  if (params.get('error')) return { kind: 'cancelled' };
  const idToken = params.get('id_token');
  if (!idToken || nonceOf(idToken) !== pending.nonce) return { kind: 'mismatch' };
  return { kind: 'token', idToken, next: pending.next };
}
