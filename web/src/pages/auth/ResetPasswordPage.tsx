// The password reset: without a token, ask for the link; with the email's token
// (auth: {PUBLIC_BASE_URL}/reset-password?token=...), choose the new password.
import { useLocation } from 'preact-iso';
import { useState } from 'preact/hooks';
import { confirmPasswordReset, requestPasswordReset } from '../../api/auth';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Field } from '../../components/Field';
import { t } from '../../i18n';

export function ResetPasswordPage() {
  const m = t.value;
  const { query } = useLocation();
  const token = query.token ?? '';
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [mismatch, setMismatch] = useState(false);
  const [working, setWorking] = useState(false);
  const [done, setDone] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    setError(null);
    if (token && password !== repeat) {
      setMismatch(true);
      return;
    }
    setMismatch(false);
    setWorking(true);
    try {
      if (token) await confirmPasswordReset(token, password);
      else await requestPasswordReset(email.trim());
      setDone(true);
    } catch (failure) {
      setError(failure);
    } finally {
      setWorking(false);
    }
  };

  return (
    <section class="auth" aria-labelledby="reset-title">
      <h1 id="reset-title">{token ? m.auth.resetChoose : m.auth.resetTitle}</h1>
      {done ? (
        <p class="notice notice-success" role="status">
          {token ? m.auth.resetDone : m.auth.resetSent} {token ? <a href="/signin">{m.nav.signIn}</a> : null}
        </p>
      ) : (
        <form class="form" onSubmit={submit}>
          {token ? (
            <>
              <Field
                label={m.auth.newPassword}
                type="password"
                value={password}
                onInput={setPassword}
                autoComplete="new-password"
                hint={m.auth.passwordHint}
                required
                dir="ltr"
              />
              <Field
                label={m.auth.resetConfirmLabel}
                type="password"
                value={repeat}
                onInput={setRepeat}
                autoComplete="new-password"
                required
                dir="ltr"
              />
            </>
          ) : (
            <>
              <p>{m.auth.resetIntro}</p>
              <Field label={m.auth.email} type="email" value={email} onInput={setEmail} autoComplete="email" required dir="ltr" />
            </>
          )}
          {mismatch ? (
            <p class="notice notice-error" role="alert">
              {m.auth.resetMismatch}
            </p>
          ) : null}
          <ErrorNotice error={error} />
          <button type="submit" class="button" disabled={working}>
            {working ? m.auth.working : token ? m.auth.resetSave : m.auth.resetSend}
          </button>
        </form>
      )}
    </section>
  );
}
