// The viewings calendar: a week (Saturday to Friday, Cairo days and times) of an agent's viewings, or every agent's
// for an administrator; the week is in the address (?week=YYYY-MM-DD), so the previous and next weeks are links.
import { useLocation } from 'preact-iso';
import { useEffect, useState } from 'preact/hooks';
import { listViewings, type Viewing } from '../../api/leads';
import { getListing, type ListingSummary } from '../../api/search';
import { ErrorNotice } from '../../components/ErrorNotice';
import { num, placesOf, t } from '../../i18n';
import { role, user } from '../../state/session';
import { addDays, cairoDay, cairoTimeRange, dayHeading, isDay, weekHeading, weekStart } from './format';
import { StaffNav } from './parts';

// Listings seen once are not fetched again while the page lives (titles hardly change).
const listings = new Map<string, Promise<ListingSummary | null>>();
function listing(id: string): Promise<ListingSummary | null> {
  let found = listings.get(id);
  if (!found) {
    found = getListing(id).catch(() => {
      listings.delete(id); // try again next time: it may have been the network
      return null;
    });
    listings.set(id, found);
  }
  return found;
}

function ViewingItem({ viewing, title }: { viewing: Viewing; title: ListingSummary | null | undefined }) {
  const m = t.value;
  const other = role.value === 'admin' && viewing.agent_id !== user.value?.id;
  return (
    <li class={`week-viewing week-viewing-${viewing.status}`} data-viewing-id={viewing.id}>
      <p class="week-viewing-time">
        <time dateTime={viewing.starts_at}>{cairoTimeRange(viewing.starts_at, viewing.ends_at)}</time>
        {viewing.status === 'booked' ? null : <span class="badge">{m.viewings.statuses[viewing.status]}</span>}
      </p>
      <p class="week-viewing-listing">
        <a href={`/listings/${viewing.listing_id}`} dir="auto">
          {title ? title.title : title === null ? m.viewings.listingUnknown : m.viewings.listingLoading}
        </a>
        {title ? (
          <span class="week-viewing-place" dir="auto">
            {placesOf(title).join(', ')}
          </span>
        ) : null}
      </p>
      {other ? <p class="week-viewing-agent">{m.viewings.agent(viewing.agent_id.slice(0, 8))}</p> : null}
      {viewing.lead_id ? (
        <p>
          <a href={`/agents/leads/${viewing.lead_id}`}>{m.viewings.openLead}</a>
        </p>
      ) : null}
    </li>
  );
}

export function ViewingsPage() {
  const m = t.value;
  const { query } = useLocation();
  const today = cairoDay(new Date());
  const first = weekStart(isDay(query.week) ? query.week : today);
  const last = addDays(first, 6);
  const [viewings, setViewings] = useState<Viewing[] | null>(null);
  const [titles, setTitles] = useState<Record<string, ListingSummary | null>>({});
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    const stop = new AbortController();
    setViewings(null);
    setError(null);
    listViewings(first, last, stop.signal)
      .then((found) => {
        setViewings(found);
        for (const id of new Set(found.map((viewing) => viewing.listing_id))) {
          void listing(id).then((summary) => {
            if (!stop.signal.aborted) setTitles((known) => ({ ...known, [id]: summary }));
          });
        }
      })
      .catch((failure) => {
        if (!stop.signal.aborted) setError(failure);
      });
    return () => stop.abort();
  }, [first]);

  const days = Array.from({ length: 7 }, (_, index) => addDays(first, index));
  const byDay = new Map<string, Viewing[]>();
  for (const viewing of viewings ?? []) {
    const day = cairoDay(viewing.starts_at);
    byDay.set(day, [...(byDay.get(day) ?? []), viewing]);
  }
  const booked = (viewings ?? []).filter((viewing) => viewing.status === 'booked').length;
  const weekText = weekHeading(first, last);
  return (
    <section class="staff" aria-labelledby="viewings-title">
      <div class="staff-head">
        <h1 id="viewings-title">{m.viewings.title}</h1>
        <StaffNav />
      </div>
      <div class="week-bar">
        <h2 class="week-title">{weekText}</h2>
        <nav class="week-nav" aria-label={m.viewings.weekNavLabel}>
          <a class="button button-quiet staff-small" href={`/agents/viewings?week=${addDays(first, -7)}`}>
            <span aria-hidden="true" class="arrow-back" />
            {m.viewings.previousWeek}
          </a>
          <a
            class="button button-quiet staff-small"
            href="/agents/viewings"
            aria-current={first === weekStart(today) ? 'date' : undefined}
          >
            {m.viewings.thisWeek}
          </a>
          <a class="button button-quiet staff-small" href={`/agents/viewings?week=${addDays(first, 7)}`}>
            {m.viewings.nextWeek}
            <span aria-hidden="true" class="arrow-forward" />
          </a>
        </nav>
      </div>
      <p class="staff-note">{m.viewings.cairoTime}</p>
      <p class="visually-hidden" role="status">
        {viewings ? m.viewings.summary(weekText, booked) : ''}
      </p>
      <ErrorNotice error={error} />
      {viewings === null && !error ? <p role="status">{m.viewings.loading}</p> : null}
      {viewings ? (
        <>
          {viewings.length === 0 ? <p class="staff-empty">{m.viewings.noneThisWeek}</p> : null}
          <ol class="week-days">
            {days.map((day) => {
              const items = byDay.get(day) ?? [];
              return (
                <li key={day} class={items.length ? 'week-day' : 'week-day week-day-empty'} aria-current={day === today ? 'date' : undefined}>
                  <h3 class="week-day-title">
                    {dayHeading(day)}
                    {day === today ? <span class="week-today">{m.viewings.today}</span> : null}
                  </h3>
                  {items.length ? (
                    <ul class="week-viewings">
                      {items.map((viewing) => (
                        <ViewingItem key={viewing.id} viewing={viewing} title={titles[viewing.listing_id]} />
                      ))}
                    </ul>
                  ) : (
                    <p class="staff-empty">{m.viewings.noneThisDay}</p>
                  )}
                </li>
              );
            })}
          </ol>
          <p class="staff-note">{m.viewings.count(num(booked))}</p>
        </>
      ) : null}
    </section>
  );
}
