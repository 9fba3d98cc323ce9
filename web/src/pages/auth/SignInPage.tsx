// Sign in, or create an account, by email and password; other methods below (methods.tsx).
import { useLocation } from 'preact-iso';
import { useState } from 'preact/hooks';
import { logIn, signUp } from '../../api/auth';
import { ApiError } from '../../api/errors';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Field } from '../../components/Field';
import { t } from '../../i18n';
import { acceptSignIn, displayName, user } from '../../state/session';
import { OtherSignInMethods } from './methods';
import { nextPath } from './next';

type Mode = 'signin' | 'signup';

export function SignInPage() {
  const m = t.value;
  const { query, route } = useLocation();
  const [mode, setMode] = useState<Mode>(query.mode === 'signup' ? 'signup' : 'signin');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [name, setName] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [working, setWorking] = useState(false);
  const [sentTo, setSentTo] = useState<string | null>(null);
  const done = () => route(nextPath(query));

  const submit = async (event: Event) => {
    event.preventDefault();
    setError(null);
    setWorking(true);
    try {
      if (mode === 'signin') {
        await acceptSignIn(await logIn(email.trim(), password));
        done();
      } else {
        await signUp(email.trim(), password, name.trim() || null);
        setSentTo(email.trim());
      }
    } catch (failure) {
      setError(failure);
    } finally {
      setWorking(false);
    }
  };

  const switchTo = (next: Mode) => {
    setMode(next);
    setError(null);
    setSentTo(null);
  };

  const title = mode === 'signin' ? m.auth.signInTitle : m.auth.signUpTitle;
  const signedIn = user.value;
  return (
    <section class="auth" aria-labelledby="auth-title">
      <h1 id="auth-title">{title}</h1>
      {signedIn && !sentTo ? (
        <p class="notice" role="status">
          {m.auth.signedInAlready(displayName(signedIn))} <a href="/">{m.auth.backToChat}</a>
        </p>
      ) : null}
      {sentTo ? (
        <p class="notice notice-success" role="status">
          {m.auth.checkEmail(sentTo)}
        </p>
      ) : (
        <form class="form" onSubmit={submit} noValidate={false}>
          <Field label={m.auth.email} type="email" value={email} onInput={setEmail} autoComplete="email" required dir="ltr" />
          {mode === 'signup' ? (
            <Field label={m.auth.displayName} value={name} onInput={setName} autoComplete="name" dir="auto" />
          ) : null}
          <Field
            label={m.auth.password}
            type="password"
            value={password}
            onInput={setPassword}
            autoComplete={mode === 'signin' ? 'current-password' : 'new-password'}
            required
            hint={mode === 'signup' ? m.auth.passwordHint : undefined}
            dir="ltr"
          />
          {error instanceof ApiError && error.status === 401 && mode === 'signin' ? (
            <p class="notice notice-error" role="alert">
              {m.errors.wrongCredentials}
            </p>
          ) : (
            <ErrorNotice error={error} />
          )}
          <button type="submit" class="button" disabled={working}>
            {working ? m.auth.working : mode === 'signin' ? m.auth.signInButton : m.auth.signUpButton}
          </button>
        </form>
      )}
      <p class="auth-switch">
        {mode === 'signin' ? m.auth.noAccount : m.auth.haveAccount}{' '}
        <button type="button" class="link-button" onClick={() => switchTo(mode === 'signin' ? 'signup' : 'signin')}>
          {mode === 'signin' ? m.auth.toSignUp : m.auth.toSignIn}
        </button>
      </p>
      {mode === 'signin' ? (
        <p>
          <a href="/reset-password">{m.auth.forgot}</a>
        </p>
      ) : null}
      <OtherSignInMethods onSignedIn={done} />
    </section>
  );
}
