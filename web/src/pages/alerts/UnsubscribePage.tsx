// The page the unsubscribe links of alert messages open (/alerts/unsubscribe?token=..., no sign-in): it says what the
// link does and stops the alerts only when the person confirms, never on loading (mail scanners open links to check
// them). The agent service reads the signed token (POST /api/saved-searches/unsubscribe).
import { useLocation } from 'preact-iso';
import { useState } from 'preact/hooks';
import { ApiError } from '../../api/errors';
import { unsubscribe } from '../../api/savedSearches';
import { ErrorNotice } from '../../components/ErrorNotice';
import { t } from '../../i18n';
import { user } from '../../state/session';

/** 403 invalid_link: not signed by Osool, or altered; 422: not even the shape of a token (cut short, characters
 * changed). Asking again will not help. */
function invalidLink(error: unknown): boolean {
  return error instanceof ApiError && (error.code === 'invalid_link' || error.status === 422);
}

function Failure({ error }: { error: unknown }) {
  const m = t.value;
  if (!error) return null;
  if (invalidLink(error)) {
    return (
      <p class="notice notice-error" role="alert">
        {m.unsubscribe.invalid}
      </p>
    );
  }
  return <ErrorNotice error={error} />;
}

export function UnsubscribePage() {
  const m = t.value;
  const u = m.unsubscribe;
  const { query } = useLocation();
  const token = query.token?.trim() ?? '';
  const [working, setWorking] = useState(false);
  const [stopped, setStopped] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(null);
  const signedIn = user.value !== null;

  const confirm = async () => {
    setWorking(true);
    setError(null);
    try {
      setStopped((await unsubscribe(token)).length);
    } catch (failure) {
      setError(failure);
    } finally {
      setWorking(false);
    }
  };

  const manage = signedIn ? (
    <a href="/saved-searches">{u.manageLink}</a>
  ) : (
    <a href={`/signin?next=${encodeURIComponent('/saved-searches')}`}>{u.signIn}</a>
  );

  return (
    <section class="unsubscribe-page" aria-labelledby="unsubscribe-title">
      <h1 id="unsubscribe-title">{u.title}</h1>
      {!token ? (
        <p class="notice notice-error" role="alert">
          {u.noToken}
        </p>
      ) : stopped === null && !invalidLink(error) ? (
        <>
          <p>{u.explain}</p>
          <p>
            <button type="button" class="button" disabled={working} onClick={() => void confirm()}>
              {working ? u.working : u.confirm}
            </button>
          </p>
        </>
      ) : null}
      <div aria-live="polite">
        {stopped !== null ? <p class="notice notice-success">{u.done(stopped)}</p> : null}
      </div>
      <Failure error={error} />
      {stopped !== null || error || !token ? (
        <p>
          {stopped !== null ? `${u.manage} ` : null}
          {manage}
        </p>
      ) : null}
    </section>
  );
}
