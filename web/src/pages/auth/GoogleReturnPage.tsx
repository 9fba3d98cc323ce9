// Where Google sends the person back (/signin/google#id_token=...&state=...): checks it, signs in, goes on.
import { useLocation } from 'preact-iso';
import { useEffect, useRef, useState } from 'preact/hooks';
import { signInWithGoogle } from '../../api/auth';
import { ApiError } from '../../api/errors';
import { ErrorNotice } from '../../components/ErrorNotice';
import { t } from '../../i18n';
import { acceptSignIn } from '../../state/session';
import { readGoogleReturn } from './google';
import { nextPath } from './next';

type State = 'working' | 'cancelled' | 'mismatch' | 'failed';

export function GoogleReturnPage() {
  const m = t.value;
  const { route } = useLocation();
  const [state, setState] = useState<State>('working');
  const [error, setError] = useState<unknown>(null);
  const started = useRef(false);

  useEffect(() => {
    if (started.current) return;
    started.current = true;
    const fragment = window.location.hash;
    // The ID token leaves the address bar and the history at once.
    history.replaceState(history.state, '', window.location.pathname);
    const answer = readGoogleReturn(fragment);
    if (answer.kind !== 'token') {
      setState(answer.kind);
      return;
    }
    signInWithGoogle(answer.idToken)
      .then(acceptSignIn)
      .then(() => route(nextPath({ next: answer.next }), true))
      .catch((failure: unknown) => {
        setError(failure);
        setState('failed');
      });
  }, []);

  let problem = null;
  if (state === 'cancelled') problem = m.signin.googleCancelled;
  if (state === 'mismatch') problem = m.signin.googleMismatch;
  if (state === 'failed' && error instanceof ApiError && error.status === 401) problem = m.signin.googleRefused;
  if (state === 'failed' && error instanceof ApiError && error.status === 404) problem = m.signin.googleOff;
  return (
    <section class="auth" aria-labelledby="google-return-title">
      <h1 id="google-return-title">{m.signin.googleTitle}</h1>
      {state === 'working' ? <p role="status">{m.signin.googleWorking}</p> : null}
      {problem ? (
        <p class="notice notice-error" role="alert">
          {problem}
        </p>
      ) : null}
      {state === 'failed' && !problem ? <ErrorNotice error={error} /> : null}
      {state !== 'working' ? (
        <p>
          <a href="/signin">{m.signin.startAgain}</a>
        </p>
      ) : null}
    </section>
  );
}
