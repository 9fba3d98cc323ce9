// "Save this search" on the search page: the words of the current search saved for alerts (by email or SMS) through
// the agent's saved searches. Signed out, the choice is kept in sessionStorage across the sign-in round trip (as the
// chat keeps a viewing's time), and the search is saved when the buyer comes back to the same words signed in.
import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../../api/errors';
import { type AlertChannel, saveSearch } from '../../api/savedSearches';
import { ErrorNotice } from '../../components/ErrorNotice';
import { t } from '../../i18n';
import { restoring, user } from '../../state/session';

interface PendingSave {
  query: string;
  channel: AlertChannel;
  at: number;
}

const PENDING_KEY = 'osool.pending_saved_search';
// A choice left behind by a sign-in never finished is not acted on much later.
const PENDING_MS = 30 * 60 * 1000;

function store(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

function keepPending(query: string, channel: AlertChannel): void {
  store()?.setItem(PENDING_KEY, JSON.stringify({ query, channel, at: Date.now() } satisfies PendingSave));
}

/** The save asked for before signing in, for these words, taken out of storage (it is saved once). */
function takePending(query: string): PendingSave | null {
  try {
    const raw = store()?.getItem(PENDING_KEY);
    const pending = raw ? (JSON.parse(raw) as PendingSave) : null;
    if (!pending || pending.query !== query) return null;
    store()?.removeItem(PENDING_KEY);
    return Date.now() - pending.at < PENDING_MS ? pending : null;
  } catch {
    return null;
  }
}

function SaveError({ error }: { error: unknown }) {
  const m = t.value;
  const s = m.saveSearch;
  if (!error) return null;
  if (error instanceof ApiError && error.status === 409) {
    return (
      <p class="notice notice-error" role="alert">
        {s.tooMany} <a href="/saved-searches">{s.manage}</a>
      </p>
    );
  }
  if (error instanceof ApiError && error.status === 422) {
    return (
      <p class="notice notice-error" role="alert">
        {error.code === 'phone_required' ? (
          <>
            {s.smsNeedsPhone} <a href="/account">{s.addPhone}</a>
          </>
        ) : (
          s.nothingToMatch
        )}
      </p>
    );
  }
  return <ErrorNotice error={error} />;
}

export function SaveSearch({ query, filtersSet, here }: { query: string; filtersSet: boolean; here: string }) {
  const m = t.value;
  const s = m.saveSearch;
  const signedIn = user.value !== null;
  const [channel, setChannel] = useState<AlertChannel>('email');
  const [working, setWorking] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [open, setOpen] = useState(false);

  const save = async (chosen: AlertChannel) => {
    setWorking(true);
    setError(null);
    setDone(null);
    try {
      const { search, created } = await saveSearch(query, chosen);
      const by = m.savedSearches.channelName[search.channel] ?? search.channel;
      setDone(created ? s.saved(by) : s.updated(by));
    } catch (failure) {
      setError(failure);
    } finally {
      setWorking(false);
    }
  };

  useEffect(() => {
    setDone(null);
    setError(null);
    // Back from signing in: the search chosen before is saved now.
    if (restoring.value || !signedIn) return;
    const pending = takePending(query);
    if (pending) {
      setChannel(pending.channel);
      setOpen(true);
      void save(pending.channel);
    }
  }, [query, signedIn, restoring.value]);

  const submit = (event: Event) => {
    event.preventDefault();
    void save(channel);
  };

  return (
    <section class="save-search" aria-labelledby="save-search-title">
      <details class="save-search-box" open={open} onToggle={(event) => setOpen(event.currentTarget.open)}>
        <summary id="save-search-title">{s.title}</summary>
        <form class="save-search-form" onSubmit={submit}>
          <p class="save-search-intro">
            {s.intro}{' '}
            <bdi class="save-search-words">{query}</bdi>
          </p>
          {filtersSet ? <p class="field-hint">{s.filtersNote}</p> : null}
          <fieldset class="save-search-channel">
            <legend>{s.channel}</legend>
            {(['email', 'sms'] as const).map((option) => (
              <label key={option}>
                <input
                  type="radio"
                  name="save-search-channel"
                  value={option}
                  checked={channel === option}
                  onChange={() => setChannel(option)}
                />
                {option === 'email' ? s.email : s.sms}
              </label>
            ))}
          </fieldset>
          {signedIn || restoring.value ? (
            <button type="submit" class="button" disabled={working || restoring.value}>
              {working ? s.saving : s.save}
            </button>
          ) : (
            <p class="save-search-signin">
              <a
                class="button"
                href={`/signin?next=${encodeURIComponent(here)}`}
                onClick={() => keepPending(query, channel)}
              >
                {s.signIn}
              </a>{' '}
              <span class="field-hint">{s.signInWhy}</span>
            </p>
          )}
        </form>
      </details>
      <div aria-live="polite">
        {done ? (
          <p class="notice notice-success">
            {done} <a href="/saved-searches">{s.manage}</a>
          </p>
        ) : null}
      </div>
      <SaveError error={error} />
    </section>
  );
}
