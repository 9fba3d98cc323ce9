// Saved searches (/saved-searches, signed in): the buyer's saved searches from the agent service, newest first, each
// with its words (a link to the same search), channel, state and date; pausing and resuming its alerts, switching
// between email and SMS, deleting it (asked first); and what the alerts found, each listing linking to its page.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../../api/errors';
import {
  type Alert,
  deleteSavedSearch,
  myAlerts,
  mySavedSearches,
  type SavedSearch,
  updateSavedSearch,
} from '../../api/savedSearches';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Isolated } from '../../components/Isolated';
import { date, dateTime, egp, t } from '../../i18n';
import { EMPTY, urlOf } from '../search/query';

/** An action's failure in words: the agent's 422 (SMS without a phone) and 409 (the same words active twice). */
function ActionError({ error }: { error: unknown }) {
  const m = t.value;
  if (!error) return null;
  if (error instanceof ApiError && error.code === 'phone_required') {
    return (
      <p class="notice notice-error" role="alert">
        {m.saveSearch.smsNeedsPhone} <a href="/account">{m.saveSearch.addPhone}</a>
      </p>
    );
  }
  if (error instanceof ApiError && error.status === 409) {
    return (
      <p class="notice notice-error" role="alert">
        {m.savedSearches.sameWords}
      </p>
    );
  }
  return <ErrorNotice error={error} />;
}

function AlertItem({ alert, query }: { alert: Alert; query: string | null }) {
  const m = t.value;
  const s = m.savedSearches;
  return (
    <li class="saved-alert" data-listing-id={alert.listing_id} data-kind={alert.kind}>
      <p class="saved-alert-head">
        <span class={`badge badge-alert-${alert.kind}`}>{s.kind[alert.kind] ?? alert.kind}</span>{' '}
        <a href={`/listings/${encodeURIComponent(alert.listing_id)}`} dir="auto" class="saved-alert-title">
          {alert.title || m.card.details}
        </a>
      </p>
      <p class="saved-alert-price">
        <strong>{egp(alert.price)}</strong>
        {alert.previous_price !== null ? <span> ({s.was(egp(alert.previous_price))})</span> : null}
      </p>
      <p class="saved-alert-meta">
        {query ? (
          <>
            <Isolated text={s.forSearch} value={query} />
            {' · '}
          </>
        ) : null}
        {s.found(dateTime(alert.found_at))}
        {' · '}
        {alert.sent_at ? s.sent(dateTime(alert.sent_at)) : s.notSent}
      </p>
    </li>
  );
}

export function SavedSearchesPage() {
  const m = t.value;
  const s = m.savedSearches;
  const [searches, setSearches] = useState<SavedSearch[] | null>(null);
  const [alerts, setAlerts] = useState<Alert[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [alertsError, setAlertsError] = useState<unknown>(null);
  const [failed, setFailed] = useState<{ id: string; error: unknown } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [working, setWorking] = useState<string | null>(null);
  const confirmButton = useRef<HTMLButtonElement>(null);
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    mySavedSearches().then(setSearches, (failure: unknown) => {
      setError(failure);
      setSearches([]);
    });
    myAlerts().then(setAlerts, (failure: unknown) => {
      setAlertsError(failure);
      setAlerts([]);
    });
  }, []);

  useEffect(() => {
    // The question takes the focus to its button, so the keyboard is where the question is.
    if (confirming) confirmButton.current?.focus();
  }, [confirming]);

  const act = async (search: SavedSearch, work: () => Promise<string>) => {
    setWorking(search.id);
    setFailed(null);
    setNotice(null);
    try {
      setNotice(await work());
    } catch (failure) {
      setFailed({ id: search.id, error: failure });
    } finally {
      setWorking(null);
    }
  };

  const replace = (changed: SavedSearch) =>
    setSearches((known) => (known ?? []).map((other) => (other.id === changed.id ? changed : other)));

  const toggleActive = (search: SavedSearch) =>
    act(search, async () => {
      const changed = await updateSavedSearch(search.id, { active: !search.active });
      replace(changed);
      return changed.active ? s.resumedNotice(changed.query) : s.pausedNotice(changed.query);
    });

  const toggleChannel = (search: SavedSearch) =>
    act(search, async () => {
      const changed = await updateSavedSearch(search.id, { channel: search.channel === 'email' ? 'sms' : 'email' });
      replace(changed);
      return s.channelNotice(changed.query, s.channelName[changed.channel] ?? changed.channel);
    });

  const remove = (search: SavedSearch) =>
    act(search, async () => {
      await deleteSavedSearch(search.id);
      setSearches((known) => (known ?? []).filter((other) => other.id !== search.id));
      setConfirming(null);
      heading.current?.focus();
      return s.deleted;
    });

  const queries = new Map((searches ?? []).map((search) => [search.id, search.query]));
  const confirmation = (search: SavedSearch, question: ComponentChildren) => (
    <div class="confirm" role="group" aria-label={s.deleteConfirm(search.query)}>
      <p>{question}</p>
      <div class="confirm-buttons">
        <button
          type="button"
          class="button button-danger"
          ref={confirmButton}
          disabled={working !== null}
          onClick={() => void remove(search)}
        >
          {s.deleteYes}
        </button>
        <button type="button" class="button button-quiet" disabled={working !== null} onClick={() => setConfirming(null)}>
          {s.keep}
        </button>
      </div>
    </div>
  );

  return (
    <section class="saved-searches" aria-labelledby="saved-searches-title">
      <h1 id="saved-searches-title" ref={heading} tabIndex={-1}>
        {s.title}
      </h1>
      <p>{s.intro}</p>
      <div aria-live="polite">{notice ? <p class="notice notice-success">{notice}</p> : null}</div>
      <ErrorNotice error={error} />
      {searches === null ? (
        <p role="status">{s.loading}</p>
      ) : searches.length === 0 ? (
        <p class="saved-empty">
          {s.empty} <a href="/search">{s.searchNow}</a>
        </p>
      ) : (
        <ul class="saved-list" aria-label={s.listLabel}>
          {searches.map((search) => (
            <li
              key={search.id}
              class="saved-search"
              data-saved-search-id={search.id}
              data-active={String(search.active)}
            >
              <h2 class="saved-search-query" dir="auto">
                {search.query}
              </h2>
              <p class="saved-search-meta">
                <span class={`badge ${search.active ? 'badge-saved-on' : 'badge-saved-paused'}`}>
                  {search.active ? s.on : s.paused}
                </span>{' '}
                {s.by[search.channel] ?? search.channel}
                {' · '}
                {s.saved(date(search.created_at))}
              </p>
              <div class="saved-search-actions">
                <a class="button" href={urlOf({ ...EMPTY, q: search.query })}>
                  {s.open}
                  <span class="visually-hidden">: {search.query}</span>
                </a>
                <button
                  type="button"
                  class="button button-quiet"
                  disabled={working !== null}
                  onClick={() => void toggleActive(search)}
                >
                  {search.active ? s.pause : s.resume}
                  <span class="visually-hidden">: {search.query}</span>
                </button>
                <button
                  type="button"
                  class="button button-quiet"
                  disabled={working !== null}
                  onClick={() => void toggleChannel(search)}
                >
                  {search.channel === 'email' ? s.toSms : s.toEmail}
                  <span class="visually-hidden">: {search.query}</span>
                </button>
                <button
                  type="button"
                  class="button button-quiet"
                  disabled={working !== null}
                  onClick={() => setConfirming(search.id)}
                >
                  {s.delete}
                  <span class="visually-hidden">: {search.query}</span>
                </button>
              </div>
              {confirming === search.id
                ? confirmation(search, <Isolated text={s.deleteConfirm} value={search.query} />)
                : null}
              {failed?.id === search.id ? <ActionError error={failed.error} /> : null}
            </li>
          ))}
        </ul>
      )}

      <section class="saved-alerts" aria-labelledby="saved-alerts-title">
        <h2 id="saved-alerts-title">{s.alertsTitle}</h2>
        <ErrorNotice error={alertsError} />
        {alerts === null ? (
          <p role="status">{s.alertsLoading}</p>
        ) : alerts.length === 0 ? (
          alertsError ? null : <p>{s.alertsEmpty}</p>
        ) : (
          <ul class="saved-alert-list" aria-label={s.alertsLabel}>
            {alerts.map((alert) => (
              <AlertItem
                key={`${alert.kind}-${alert.listing_id}-${alert.price}-${alert.found_at}`}
                alert={alert}
                query={alert.saved_search_id ? (queries.get(alert.saved_search_id) ?? null) : null}
              />
            ))}
          </ul>
        )}
      </section>
    </section>
  );
}
