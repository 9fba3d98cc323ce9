// The auth service's routes the client uses (services/auth/README.md). Phone OTP, Google and wallet sign-in go here too.
import { api } from './client';
import type { TokenPair, User } from './types';

const NO_TOKEN = { auth: 'none' } as const;

export function signUp(email: string, password: string, displayName: string | null): Promise<unknown> {
  const body: Record<string, string> = { email, password };
  if (displayName) body.display_name = displayName;
  return api('/api/auth/signup', { body, ...NO_TOKEN });
}

export function logIn(email: string, password: string): Promise<TokenPair> {
  return api('/api/auth/login', { body: { email, password }, ...NO_TOKEN });
}

/** The token of the link in the verification email: single use, signs in. */
export function verifyEmail(token: string): Promise<TokenPair> {
  return api('/api/auth/verify-email', { body: { token }, ...NO_TOKEN });
}

export function requestPasswordReset(email: string): Promise<unknown> {
  return api('/api/auth/password/reset', { body: { email }, ...NO_TOKEN });
}

export function confirmPasswordReset(token: string, newPassword: string): Promise<unknown> {
  return api('/api/auth/password/reset/confirm', { body: { token, new_password: newPassword }, ...NO_TOKEN });
}

/** Rotates: the token given stops working; presenting it again ends the whole session. */
export function refreshTokens(refreshToken: string): Promise<TokenPair> {
  return api('/api/auth/token/refresh', { body: { refresh_token: refreshToken }, ...NO_TOKEN });
}

export function logOut(refreshToken: string): Promise<unknown> {
  return api('/api/auth/logout', { body: { refresh_token: refreshToken }, ...NO_TOKEN });
}

export function me(): Promise<User> {
  return api('/api/auth/me');
}
