// Where the verification email's link lands (auth: {PUBLIC_BASE_URL}/verify-email?token=...): verifies and signs in.
import { useLocation } from 'preact-iso';
import { useEffect, useRef, useState } from 'preact/hooks';
import { verifyEmail } from '../../api/auth';
import { ErrorNotice } from '../../components/ErrorNotice';
import { t } from '../../i18n';
import { acceptSignIn } from '../../state/session';

export function VerifyEmailPage() {
  const m = t.value;
  const { query } = useLocation();
  const token = query.token ?? '';
  const [state, setState] = useState<'working' | 'done' | 'failed'>(token ? 'working' : 'failed');
  const [error, setError] = useState<unknown>(null);
  const started = useRef(false);

  useEffect(() => {
    // The token is single use: one request, even if the page renders again.
    if (!token || started.current) return;
    started.current = true;
    verifyEmail(token)
      .then(acceptSignIn)
      .then(() => setState('done'))
      .catch((failure: unknown) => {
        setError(failure);
        setState('failed');
      });
  }, [token]);

  return (
    <section class="auth" aria-labelledby="verify-title">
      <h1 id="verify-title">{m.auth.verifyTitle}</h1>
      {state === 'working' ? <p role="status">{m.auth.verifying}</p> : null}
      {state === 'done' ? (
        <p class="notice notice-success" role="status">
          {m.auth.verified} <a href="/">{m.auth.backToChat}</a>
        </p>
      ) : null}
      {state === 'failed' && !token ? (
        <p class="notice notice-error" role="alert">
          {m.auth.missingToken}
        </p>
      ) : null}
      {state === 'failed' && token ? <ErrorNotice error={error} /> : null}
      {state === 'failed' ? (
        <p>
          <a href="/signin">{m.nav.signIn}</a>
        </p>
      ) : null}
    </section>
  );
}
