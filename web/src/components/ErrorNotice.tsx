// An error said in words, in the page's language; a session that ended offers the way back in.
import { describeError, SessionExpiredError } from '../api/errors';
import { t } from '../i18n';

export function ErrorNotice({ error }: { error: unknown }) {
  if (!error) return null;
  const m = t.value;
  return (
    <p class="notice notice-error" role="alert">
      {describeError(error, m)}
      {error instanceof SessionExpiredError ? (
        <>
          {' '}
          <a href="/signin">{m.errors.signInAgain}</a>
        </>
      ) : null}
    </p>
  );
}
