// The other ways to sign in, shown under the email form: phone OTP, Google (only when auth says it is configured:
// GET /api/auth/methods) and a wallet (EIP-1193 + Sign-In with Ethereum). Each ends in acceptSignIn(pair).
import type { ComponentType } from 'preact';
import { useLocation } from 'preact-iso';
import { useEffect, useState } from 'preact/hooks';
import { googleNonce, type SignInMethods, signInMethods } from '../../api/auth';
import { ErrorNotice } from '../../components/ErrorNotice';
import { t } from '../../i18n';
import { googleAuthorizationUrl } from './google';
import { nextPath } from './next';
import { PhoneSignIn } from './PhoneSignIn';
import { WalletSignIn } from './WalletSignIn';

interface MethodProps {
  onSignedIn: () => void;
  /** What auth offers; null until known (or when it could not be asked): the optional methods stay hidden. */
  methods: SignInMethods | null;
}

export interface SignInMethod {
  id: string;
  Component: ComponentType<MethodProps>;
}

/** A full-page trip to Google's account chooser and back to /signin/google (GoogleReturnPage). */
function GoogleSignIn({ methods }: MethodProps) {
  const m = t.value;
  const { query } = useLocation();
  const [working, setWorking] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const google = methods?.google;
  if (!google) return null;
  const start = async () => {
    setError(null);
    setWorking(true);
    try {
      const { nonce } = await googleNonce();
      window.location.assign(googleAuthorizationUrl(google, nonce, nextPath(query)));
    } catch (failure) {
      setError(failure);
      setWorking(false);
    }
  };
  return (
    <div class="signin-method">
      <button
        type="button"
        class="button button-quiet signin-provider"
        data-method="google"
        onClick={() => void start()}
        disabled={working}
      >
        {m.signin.googleButton}
      </button>
      <ErrorNotice error={error} />
    </div>
  );
}

export const SIGN_IN_METHODS: SignInMethod[] = [
  { id: 'phone', Component: PhoneSignIn },
  { id: 'google', Component: GoogleSignIn },
  { id: 'wallet', Component: WalletSignIn },
];

export function OtherSignInMethods({ onSignedIn }: { onSignedIn: () => void }) {
  const [methods, setMethods] = useState<SignInMethods | null>(null);
  useEffect(() => {
    let live = true;
    // Not knowing hides only what needs configuring (Google); phone and wallet work regardless.
    signInMethods()
      .then((answer) => live && setMethods(answer))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, []);
  return (
    <section class="auth-methods" aria-labelledby="auth-methods-title">
      <h2 id="auth-methods-title">{t.value.auth.otherMethods}</h2>
      {SIGN_IN_METHODS.map(({ id, Component }) => (
        <Component key={id} onSignedIn={onSignedIn} methods={methods} />
      ))}
    </section>
  );
}
