// The auth service's routes the client uses (services/auth/README.md): every way of signing in, tokens, the account.
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

/** PATCH /api/auth/me takes the display name only (null or empty clears it; at most 100 characters). */
export function updateMe(displayName: string | null): Promise<User> {
  return api('/api/auth/me', { method: 'PATCH', body: { display_name: displayName } });
}

/** Signed in: a code by SMS to a number to add to the account (POST /api/auth/otp/send, purpose verify_phone). */
export function sendAccountPhoneCode(phone: string): Promise<{ expires_in: number }> {
  return api('/api/auth/otp/send', { body: { phone, purpose: 'verify_phone' } });
}

/** Signed in: the code makes the number the account's verified phone. 409: the number is another account's. */
export function verifyAccountPhone(phone: string, code: string): Promise<User> {
  return api('/api/auth/phone/verify', { body: { phone, code, purpose: 'verify_phone' } });
}

/** Signed in: an EIP-4361 message signed by the wallet links it to the account. 409: linked to another account. */
export function linkWallet(message: string, signature: string): Promise<User> {
  return api('/api/auth/wallet/link', { body: { message, signature } });
}

/** auth: GET /api/auth/methods, the optional ways in; each null when this deployment has not configured it. */
export interface SignInMethods {
  google: { client_id: string; authorization_url: string } | null;
}

/** auth: GET /api/auth/siwe/nonce, what a Sign-In with Ethereum message must name. */
export interface SiweNonce {
  nonce: string;
  domain: string;
  uri: string;
  chain_id: number;
  expires_in: number;
}

export function signInMethods(): Promise<SignInMethods> {
  return api('/api/auth/methods', NO_TOKEN);
}

/** An SMS with a 6-digit code; a resend replaces the code. Answers the code's life in seconds. */
export function sendPhoneCode(phone: string): Promise<{ expires_in: number }> {
  return api('/api/auth/otp/send', { body: { phone, purpose: 'sign_in' }, ...NO_TOKEN });
}

/** Signs in by phone, creating the account on first use. */
export function verifyPhoneCode(phone: string, code: string): Promise<TokenPair> {
  return api('/api/auth/otp/verify', { body: { phone, code }, ...NO_TOKEN });
}

/** The ID token Google handed back (OpenID Connect), verified by auth against Google's keys. */
export function signInWithGoogle(idToken: string): Promise<TokenPair> {
  return api('/api/auth/google', { body: { id_token: idToken }, ...NO_TOKEN });
}

/** auth: GET /api/auth/google/nonce, for Google's authorization request; the token naming it signs in once. */
export function googleNonce(): Promise<{ nonce: string; expires_in: number }> {
  return api('/api/auth/google/nonce', NO_TOKEN);
}

export function siweNonce(): Promise<SiweNonce> {
  return api('/api/auth/siwe/nonce', NO_TOKEN);
}

/** An EIP-4361 message and the wallet's personal_sign signature of it; the nonce works once. */
export function signInWithWallet(message: string, signature: string): Promise<TokenPair> {
  return api('/api/auth/siwe/verify', { body: { message, signature }, ...NO_TOKEN });
}
