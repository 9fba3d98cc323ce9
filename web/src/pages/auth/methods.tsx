// The other ways to sign in, shown under the email form: phone OTP, Google (only when configured) and a wallet
// (EIP-1193 + Sign-In with Ethereum) are added here, each a component that ends in acceptSignIn(pair).
import type { ComponentType } from 'preact';
import { t } from '../../i18n';

export interface SignInMethod {
  id: string;
  Component: ComponentType<{ onSignedIn: () => void }>;
}

/** Empty for now; e.g. `{ id: 'phone', Component: PhoneSignIn }` (auth: POST /api/auth/otp/send, /otp/verify). */
export const SIGN_IN_METHODS: SignInMethod[] = [];

export function OtherSignInMethods({ onSignedIn }: { onSignedIn: () => void }) {
  if (SIGN_IN_METHODS.length === 0) return null;
  return (
    <section class="auth-methods" aria-labelledby="auth-methods-title">
      <h2 id="auth-methods-title">{t.value.auth.otherMethods}</h2>
      {SIGN_IN_METHODS.map(({ id, Component }) => (
        <Component key={id} onSignedIn={onSignedIn} />
      ))}
    </section>
  );
}
