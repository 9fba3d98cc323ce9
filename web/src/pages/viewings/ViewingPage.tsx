// A viewing opened from the links of its emails (/viewings/{id}?action=cancel|reschedule&token=..., no sign-in
// needed) or by its signed-in buyer: the listing, the day and time in Cairo, and cancelling it or moving it to
// another free time of the same agent.
import { useLocation, useRoute } from 'preact-iso';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, describeError } from '../../api/errors';
import {
  cancelViewing,
  freeSlots,
  getViewing,
  rescheduleViewing,
  type ViewedListing,
  viewedListing,
  type Viewing,
  type ViewingSlot,
} from '../../api/viewings';
import { placesOf, t } from '../../i18n';
import { cairoDay, cairoTime } from '../../i18n/cairo';
import { restoring, user } from '../../state/session';
import { SlotList } from '../chat/Viewing';

const MAX_TIMES = 12;

function Failure({ error }: { error: unknown }) {
  const m = t.value;
  if (!error) return null;
  const words =
    error instanceof ApiError && error.code === 'invalid_link'
      ? m.viewingPage.invalidLink
      : error instanceof ApiError && (error.code === 'slot_taken' || error.code === 'not_a_free_slot')
        ? m.viewing.taken
        : error instanceof ApiError && error.status === 409
          ? m.viewingPage.past
          : describeError(error, m);
  return (
    <p class="notice notice-error" role="alert">
      {words}
    </p>
  );
}

export function ViewingPage() {
  const m = t.value;
  const p = m.viewingPage;
  const { params } = useRoute();
  const { query } = useLocation();
  const id = params.id ?? '';
  const token = query.token ?? null;
  const action = query.action === 'reschedule' ? 'reschedule' : query.action === 'cancel' ? 'cancel' : null;
  const [viewing, setViewing] = useState<Viewing | null>(null);
  const [listing, setListing] = useState<ViewedListing | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [times, setTimes] = useState<ViewingSlot[] | null>(null);
  const [asking, setAsking] = useState(false);
  const [working, setWorking] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const confirmButton = useRef<HTMLButtonElement>(null);
  const signedIn = user.value !== null;
  // The link's token opens it; without one, the signed-in buyer's own token does.
  const canOpen = token !== null || signedIn;
  const mayCancel = (token !== null && action === 'cancel') || (token === null && signedIn);
  const mayMove = (token !== null && action === 'reschedule') || (token === null && signedIn);

  useEffect(() => {
    if (restoring.value || !canOpen) return;
    let live = true;
    void (async () => {
      try {
        const found = await getViewing(id, token);
        if (!live) return;
        setViewing(found);
        viewedListing(found.listing_id)
          .then((item) => live && setListing(item))
          .catch(() => undefined); // the time and place of the viewing still show
      } catch (failure) {
        if (live) setError(failure);
      }
    })();
    return () => {
      live = false;
    };
  }, [id, token, restoring.value, signedIn]);

  const upcoming = viewing?.status === 'booked' && Date.parse(viewing.starts_at) > Date.now();

  useEffect(() => {
    // Moving it: the other free times of the same agent.
    if (!viewing || !upcoming || !mayMove) return;
    freeSlots(viewing.listing_id, null, 14, viewing.agent_id)
      .then((slots) => setTimes(slots.filter((slot) => slot.starts_at !== viewing.starts_at).slice(0, MAX_TIMES)))
      .catch((failure) => setError(failure));
  }, [viewing?.id, viewing?.starts_at, upcoming, mayMove]);

  useEffect(() => {
    if (asking) confirmButton.current?.focus();
  }, [asking]);

  const cancel = async () => {
    if (!viewing) return;
    setWorking(true);
    setError(null);
    try {
      setViewing(await cancelViewing(viewing.id, token));
      setAsking(false);
      setDone(p.cancelled);
    } catch (failure) {
      setError(failure);
    } finally {
      setWorking(false);
    }
  };

  const move = async (startsAt: string) => {
    if (!viewing) return;
    setWorking(true);
    setError(null);
    try {
      const moved = await rescheduleViewing(viewing.id, startsAt, token);
      setViewing(moved);
      setDone(p.moved(cairoDay(moved.starts_at), cairoTime(moved.starts_at)));
    } catch (failure) {
      setError(failure);
      if (failure instanceof ApiError && (failure.code === 'slot_taken' || failure.code === 'not_a_free_slot')) {
        const slots = await freeSlots(viewing.listing_id, null, 14, viewing.agent_id).catch(() => null);
        if (slots) setTimes(slots.filter((slot) => slot.starts_at !== viewing.starts_at).slice(0, MAX_TIMES));
      }
    } finally {
      setWorking(false);
    }
  };

  return (
    <section class="viewing-page" aria-labelledby="viewing-title">
      <h1 id="viewing-title">{p.title}</h1>
      {!canOpen && !restoring.value ? (
        <p class="notice">
          {p.signIn} <a href={`/signin?next=${encodeURIComponent(`/viewings/${id}`)}`}>{m.nav.signIn}</a>
        </p>
      ) : null}
      {!viewing && !error && canOpen ? <p role="status">{m.pages.loading}</p> : null}
      <div aria-live="polite">{done ? <p class="notice notice-success">{done}</p> : null}</div>
      <Failure error={error} />
      {viewing ? (
        <article class="viewing-card" data-status={viewing.status}>
          <h2 dir="auto">{listing ? listing.title : p.listing}</h2>
          {listing ? (
            <p class="listing-place" dir="auto">
              {placesOf(listing).join(' · ')}{' '}
              <a href={`/listings/${encodeURIComponent(listing.id)}`}>{m.card.details}</a>
            </p>
          ) : null}
          <p class="viewing-when-line">
            <strong>
              {m.viewing.bookedWhen(cairoDay(viewing.starts_at), cairoTime(viewing.starts_at), cairoTime(viewing.ends_at))}
            </strong>
          </p>
          <p>
            <span class={`badge badge-viewing-${viewing.status}`}>{p.status[viewing.status] ?? viewing.status}</span>
          </p>
          {upcoming && mayCancel ? (
            asking ? (
              <div class="confirm" role="group" aria-label={p.cancelQuestion}>
                <p>{p.cancelQuestion}</p>
                <div class="confirm-buttons">
                  <button
                    type="button"
                    class="button button-danger"
                    ref={confirmButton}
                    disabled={working}
                    onClick={() => void cancel()}
                  >
                    {working ? m.viewing.cancelling : p.cancelYes}
                  </button>
                  <button type="button" class="button button-quiet" disabled={working} onClick={() => setAsking(false)}>
                    {p.keep}
                  </button>
                </div>
              </div>
            ) : (
              <button type="button" class="button button-quiet" onClick={() => setAsking(true)}>
                {m.viewing.cancel}
              </button>
            )
          ) : null}
          {upcoming && mayMove ? (
            <section class="viewing-move" aria-labelledby="viewing-move-title">
              <h2 id="viewing-move-title">{p.moveTitle}</h2>
              {times === null ? (
                <p role="status">{m.viewing.loadingTimes}</p>
              ) : times.length === 0 ? (
                <p>{m.viewing.none}</p>
              ) : (
                <>
                  <p class="widget-note">{p.moveNote}</p>
                  <SlotList slots={times} label={p.moveTo} onPick={(startsAt) => void move(startsAt)} disabled={working} />
                </>
              )}
            </section>
          ) : null}
          {viewing.status === 'booked' && !upcoming ? <p>{p.past}</p> : null}
        </article>
      ) : null}
      <p>
        <a href="/">{m.auth.backToChat}</a>
      </p>
    </section>
  );
}
