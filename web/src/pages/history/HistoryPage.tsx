// History: the signed-in user's conversations with Amr (chat-history), most recently active first; continue any of
// them here or on another device, delete one or all, and search what was said (chat-history's full-text index over
// the user's own messages, English and Arabic; the tools' JSON results are left out of the hits).
import type { ComponentChildren } from 'preact';
import { useLocation } from 'preact-iso';
import { useEffect, useRef, useState } from 'preact/hooks';
import {
  deleteAllSessions,
  deleteSession,
  listSessions,
  type SearchHit,
  searchHistory,
  type SessionSummary,
} from '../../api/history';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Isolated } from '../../components/Isolated';
import { lang, t } from '../../i18n';
import { conversation, openConversation, resetConversation } from '../chat/conversation';

const SNIPPET = 180;

function when(value: string): string {
  return new Intl.DateTimeFormat(lang.value === 'ar' ? 'ar-EG' : 'en-EG', {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
  }).format(new Date(value));
}

/** The part of a message around the first word of the query it contains (the whole message when short). */
function snippet(content: string, query: string): string {
  const text = content.replace(/\s+/g, ' ').trim();
  if (text.length <= SNIPPET) return text;
  const lower = text.toLowerCase();
  const at = query
    .toLowerCase()
    .split(/\s+/)
    .map((word) => lower.indexOf(word))
    .filter((index) => index >= 0)
    .sort((a, b) => a - b)[0];
  let start = Math.max(0, Math.min((at ?? 0) - 40, text.length - SNIPPET));
  // Start at a word, not in the middle of one.
  const space = start > 0 ? text.indexOf(' ', start) : -1;
  if (space >= 0 && space < (at ?? start + 40)) start = space + 1;
  return `${start > 0 ? '…' : ''}${text.slice(start, start + SNIPPET)}${start + SNIPPET < text.length ? '…' : ''}`;
}

interface Confirming {
  id: string | 'all';
}

export function HistoryPage() {
  const m = t.value;
  const h = m.history;
  const { route } = useLocation();
  const [sessions, setSessions] = useState<SessionSummary[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<Confirming | null>(null);
  const [working, setWorking] = useState(false);
  const [draft, setDraft] = useState('');
  const [query, setQuery] = useState<string | null>(null);
  const [hits, setHits] = useState<SearchHit[] | null>(null);
  const confirmButton = useRef<HTMLButtonElement>(null);
  const heading = useRef<HTMLHeadingElement>(null);

  const load = async (after: string | null) => {
    setError(null);
    try {
      const page = await listSessions(after);
      setSessions((known) => (after ? [...(known ?? []), ...page.sessions] : page.sessions));
      setCursor(page.next_cursor);
    } catch (failure) {
      setError(failure);
      setSessions((known) => known ?? []);
    }
  };

  useEffect(() => {
    void load(null);
  }, []);

  useEffect(() => {
    // A confirmation takes the focus to its button, so the keyboard is where the question is.
    if (confirming) confirmButton.current?.focus();
  }, [confirming]);

  const open = (id: string) => {
    openConversation(id);
    route('/');
  };

  const search = async (event: Event) => {
    event.preventDefault();
    const q = draft.trim();
    if (!q) {
      clearSearch();
      return;
    }
    setError(null);
    setQuery(q);
    setHits(null);
    try {
      const found = await searchHistory(q);
      setHits(found.results.filter((hit) => hit.role !== 'tool'));
    } catch (failure) {
      setError(failure);
      setHits([]);
    }
  };

  const clearSearch = () => {
    setDraft('');
    setQuery(null);
    setHits(null);
  };

  const remove = async (target: Confirming) => {
    setWorking(true);
    setError(null);
    try {
      if (target.id === 'all') {
        const { deleted } = await deleteAllSessions();
        setSessions([]);
        setCursor(null);
        setHits((known) => (known ? [] : known));
        resetConversation();
        setNotice(h.deletedAll(deleted));
      } else {
        await deleteSession(target.id);
        setSessions((known) => (known ?? []).filter((s) => s.id !== target.id));
        setHits((known) => (known ? known.filter((hit) => hit.session_id !== target.id) : known));
        if (conversation.value?.id === target.id) resetConversation();
        setNotice(h.deleted);
      }
      setConfirming(null);
      heading.current?.focus();
    } catch (failure) {
      setError(failure);
    } finally {
      setWorking(false);
    }
  };

  const confirmation = (target: Confirming, label: string, question: ComponentChildren, yes: string) => (
    <div class="confirm" role="group" aria-label={label}>
      <p>{question}</p>
      <div class="confirm-buttons">
        <button
          type="button"
          class="button button-danger"
          ref={confirmButton}
          disabled={working}
          onClick={() => void remove(target)}
        >
          {yes}
        </button>
        <button type="button" class="button button-quiet" disabled={working} onClick={() => setConfirming(null)}>
          {h.keep}
        </button>
      </div>
    </div>
  );

  const titleOf = (title: string | null) => title || h.untitled;
  const current = conversation.value?.id ?? null;

  return (
    <section class="history" aria-labelledby="history-title">
      <div class="history-head">
        <h1 id="history-title" ref={heading} tabIndex={-1}>
          {h.title}
        </h1>
        {sessions && sessions.length > 0 ? (
          <button type="button" class="button button-quiet" onClick={() => setConfirming({ id: 'all' })}>
            {h.deleteAll}
          </button>
        ) : null}
      </div>
      <p>{h.intro}</p>
      {confirming?.id === 'all' ? confirmation({ id: 'all' }, h.deleteAllConfirm, h.deleteAllConfirm, h.deleteAllYes) : null}
      <form class="history-search" role="search" onSubmit={search}>
        <label for="history-q">{h.searchLabel}</label>
        <div class="history-search-row">
          <input
            id="history-q"
            type="search"
            dir="auto"
            maxLength={200}
            value={draft}
            onInput={(event) => setDraft(event.currentTarget.value)}
          />
          <button type="submit" class="button">
            {h.search}
          </button>
          {query ? (
            <button type="button" class="button button-quiet" onClick={clearSearch}>
              {h.clearSearch}
            </button>
          ) : null}
        </div>
      </form>
      <div aria-live="polite">{notice ? <p class="notice notice-success">{notice}</p> : null}</div>
      <ErrorNotice error={error} />
      {query ? (
        <section class="history-results" aria-labelledby="history-results-title">
          <h2 id="history-results-title" aria-live="polite">
            {hits === null ? h.searching : hits.length === 0 ? h.noResults(query) : h.results(hits.length, query)}
          </h2>
          {hits && hits.length > 0 ? (
            <ul class="history-list">
              {hits.map((hit) => (
                <li key={hit.id} class="history-item">
                  <button type="button" class="link-button history-title" dir="auto" onClick={() => open(hit.session_id)}>
                    {titleOf(hit.session_title)}
                  </button>
                  <p class="history-hit">
                    <span class="history-who">{hit.role === 'user' ? m.chat.you : m.chat.amr}: </span>
                    <span dir="auto">{snippet(hit.content, query)}</span>
                  </p>
                  <p class="history-meta">{when(hit.created_at)}</p>
                </li>
              ))}
            </ul>
          ) : null}
        </section>
      ) : sessions === null ? (
        <p role="status">{h.loading}</p>
      ) : sessions.length === 0 ? (
        <p class="history-empty">
          {h.empty} <a href="/">{h.startOne}</a>
        </p>
      ) : (
        <>
          <ul class="history-list" aria-label={h.listLabel}>
            {sessions.map((session) => (
              <li key={session.id} class="history-item" data-session-id={session.id}>
                <h2 class="history-title" dir="auto">
                  {titleOf(session.title)}
                </h2>
                <p class="history-meta">
                  {/* No count of messages: chat-history counts the tools' results too, which nobody sees as messages. */}
                  {h.lastActive(when(session.last_activity_at))}
                  {session.id === current ? <span class="badge history-current">{h.current}</span> : null}
                </p>
                <div class="history-actions">
                  <button type="button" class="button" onClick={() => open(session.id)}>
                    {h.open}
                    <span class="visually-hidden"> {titleOf(session.title)}</span>
                  </button>
                  <button type="button" class="button button-quiet" onClick={() => setConfirming({ id: session.id })}>
                    {h.delete}
                    <span class="visually-hidden"> {titleOf(session.title)}</span>
                  </button>
                </div>
                {confirming?.id === session.id
                  ? confirmation(
                      { id: session.id },
                      h.deleteConfirm(titleOf(session.title)),
                      <Isolated text={h.deleteConfirm} value={titleOf(session.title)} />,
                      h.deleteYes,
                    )
                  : null}
              </li>
            ))}
          </ul>
          {cursor ? (
            <button
              type="button"
              class="button button-quiet"
              disabled={loadingMore}
              onClick={async () => {
                setLoadingMore(true);
                await load(cursor);
                setLoadingMore(false);
              }}
            >
              {loadingMore ? m.pages.loading : h.more}
            </button>
          ) : null}
        </>
      )}
    </section>
  );
}
