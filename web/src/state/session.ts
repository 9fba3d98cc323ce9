// The signed-in session: the access token in memory only, the refresh token in localStorage (web/README.md says why),
// rotated under a lock shared by the tabs of the browser, and what happens on sign-in, sign-out and expiry.
import { computed, signal } from '@preact/signals';
import { logOut, refreshTokens } from '../api/auth';
import { connectAuth } from '../api/client';
import { ApiError } from '../api/errors';
import type { Role, TokenPair, User } from '../api/types';
import { claimAnonymousConversation, resetConversation } from '../pages/chat/conversation';

export const user = signal<User | null>(null);
export const role = computed<Role | null>(() => user.value?.role ?? null);
/** True until the refresh token kept from an earlier visit has been tried. */
export const restoring = signal(true);
/** Why the person was signed out without asking (shown once, with a way to sign in again). */
export const sessionEnded = signal(false);

const REFRESH_KEY = 'osool.refresh_token';
// Refresh a minute before the access token expires (it lives 15 minutes), never sooner than 10 s from now.
const REFRESH_MARGIN_SECONDS = 60;

let accessToken: string | null = null;
let refreshTimer: ReturnType<typeof setTimeout> | undefined;
let refreshing: Promise<boolean> | null = null;

function storage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

function storedRefreshToken(): string | null {
  return storage()?.getItem(REFRESH_KEY) ?? null;
}

function storeRefreshToken(token: string | null): void {
  if (token) storage()?.setItem(REFRESH_KEY, token);
  else storage()?.removeItem(REFRESH_KEY);
}

/** Tabs share the refresh token: two tabs rotating the same one would look like reuse and end the session, so a
 * rotation happens under a browser-wide lock and always starts from the token stored last. */
async function underLock<T>(work: () => Promise<T>): Promise<T> {
  const locks = (navigator as Navigator & { locks?: LockManager }).locks;
  return locks ? locks.request('osool-refresh-token', work) : work();
}

function apply(pair: TokenPair): void {
  accessToken = pair.access_token;
  storeRefreshToken(pair.refresh_token);
  user.value = pair.user;
  sessionEnded.value = false;
  clearTimeout(refreshTimer);
  const seconds = Math.max(10, pair.expires_in - REFRESH_MARGIN_SECONDS);
  refreshTimer = setTimeout(() => {
    void refresh()
      .then((ok) => {
        if (!ok) endLocally(true);
      })
      .catch(() => undefined); // offline: the next request refreshes (or says the person is offline)
  }, seconds * 1000);
}

/** A new access token for the stored refresh token; false when the session has ended. Network failures throw. */
export function refresh(): Promise<boolean> {
  refreshing ??= underLock(async () => {
    const token = storedRefreshToken();
    if (!token) return false;
    try {
      apply(await refreshTokens(token));
      return true;
    } catch (error) {
      if (error instanceof ApiError && error.status < 500 && error.status !== 429) {
        storeRefreshToken(null); // revoked, expired or reused: it will never work again
        return false;
      }
      throw error;
    }
  }).finally(() => {
    refreshing = null;
  });
  return refreshing;
}

function endLocally(expired: boolean): void {
  const wasSignedIn = user.value !== null;
  accessToken = null;
  clearTimeout(refreshTimer);
  storeRefreshToken(null);
  user.value = null;
  if (wasSignedIn) resetConversation();
  sessionEnded.value = expired && wasSignedIn;
}

connectAuth({
  token: () => accessToken,
  refresh,
  expired: () => endLocally(true),
});

/** After any way of signing in: keep the tokens, and make the anonymous conversation the user's. */
export async function acceptSignIn(pair: TokenPair): Promise<void> {
  apply(pair);
  await claimAnonymousConversation();
}

export async function signOut(): Promise<void> {
  const token = storedRefreshToken();
  endLocally(false);
  if (token) {
    // Ends the session (its refresh tokens, and its access tokens in every service within about a second).
    await logOut(token).catch(() => undefined);
  }
}

/** At start: a refresh token kept from an earlier visit signs the person in again. */
export async function restoreSession(): Promise<void> {
  try {
    if (storedRefreshToken()) await refresh();
  } catch {
    // Offline or the gateway is down: stay signed out for now; the token is kept for the next try.
  } finally {
    restoring.value = false;
  }
}

// Another tab signed in, refreshed or signed out.
window.addEventListener('storage', (event) => {
  if (event.key !== REFRESH_KEY) return;
  if (event.newValue === null && user.value) {
    endLocally(false);
  } else if (event.newValue && !user.value) {
    void refresh().catch(() => undefined);
  }
});

export function displayName(person: User): string {
  // A wallet is known by the start and end of its address, as wallets show it.
  const wallet = person.wallet_address && `${person.wallet_address.slice(0, 6)}…${person.wallet_address.slice(-4)}`;
  return person.display_name || person.email || person.phone || wallet || person.id.slice(0, 8);
}
