// A viewing in the conversation: the free times Amr offered as buttons grouped by Cairo day (choosing one books it;
// signed out, the buyer is asked to sign in and comes back to this conversation, where the time is booked), then the
// booking with its Cairo date and time and a way to cancel it.
import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../../api/errors';
import { bookViewing, cancelViewing, freeSlots, type Viewing, type ViewingSlot } from '../../api/viewings';
import { ErrorNotice } from '../../components/ErrorNotice';
import { t } from '../../i18n';
import { cairoDate, cairoDay, cairoTime } from '../../i18n/cairo';
import { user } from '../../state/session';
import { conversation, listingTitle } from './conversation';
import type { ViewingWidget } from './tools';
import { bookedViewingOf, keepPick, noteViewing, takePick, viewingList } from './viewings';

const MAX_SLOTS = 6;

/** The slots still ahead, grouped by their Cairo day, in order. */
function byDay(slots: ViewingSlot[]): Array<[string, ViewingSlot[]]> {
  const now = Date.now();
  const days = new Map<string, ViewingSlot[]>();
  for (const slot of slots) {
    if (Date.parse(slot.starts_at) <= now) continue;
    const day = cairoDate(slot.starts_at);
    days.set(day, [...(days.get(day) ?? []), slot]);
  }
  return [...days.entries()];
}

interface SlotListProps {
  slots: ViewingSlot[];
  /** The button's full name ("Book a viewing on Tuesday, December 1 at 16:00"): its text is the time only. */
  label: (day: string, time: string) => string;
  onPick: (startsAt: string) => void;
  disabled: boolean;
  /** The time picked before signing in, marked. */
  picked?: string | null;
}

/** Free times as buttons under their Cairo day (also the viewing page's, to move a viewing). */
export function SlotList({ slots, label, onPick, disabled, picked = null }: SlotListProps) {
  return (
    <ul class="viewing-days">
      {byDay(slots).map(([day, times]) => (
        <li key={day}>
          <p class="viewing-day" aria-hidden="true">
            {cairoDay(times[0]?.starts_at ?? `${day}T12:00:00Z`)}
          </p>
          <ul class="viewing-slots">
            {times.map((slot) => (
              <li key={slot.starts_at}>
                <button
                  type="button"
                  class={picked === slot.starts_at ? 'slot slot-picked' : 'slot'}
                  data-starts-at={slot.starts_at}
                  aria-label={label(cairoDay(slot.starts_at), cairoTime(slot.starts_at))}
                  disabled={disabled}
                  onClick={() => onPick(slot.starts_at)}
                >
                  {cairoTime(slot.starts_at)}
                </button>
              </li>
            ))}
          </ul>
        </li>
      ))}
    </ul>
  );
}

function amrBooking(widget: ViewingWidget): Viewing | undefined {
  const booked = widget.booked;
  if (!booked) return undefined;
  return {
    ...booked,
    listing_id: widget.listingId,
    agent_id: '',
    user_id: '',
    status: 'booked',
    sequence: 0,
    created_at: '',
    cancelled_at: null,
    rescheduled_at: null,
  };
}

const slotTaken = (error: unknown) =>
  error instanceof ApiError && (error.code === 'slot_taken' || error.code === 'not_a_free_slot');

function Booked({ viewing, onCancel, cancelling }: { viewing: Viewing; onCancel: () => void; cancelling: boolean }) {
  const v = t.value.viewing;
  return (
    <div class="viewing-booked" data-viewing-id={viewing.id}>
      <p class="viewing-booked-title" role="status">
        <strong>{v.bookedTitle}</strong>
        <br />
        <span class="viewing-when">
          {v.bookedWhen(cairoDay(viewing.starts_at), cairoTime(viewing.starts_at), cairoTime(viewing.ends_at))}
        </span>
      </p>
      <p class="widget-note">{v.invitation}</p>
      <button type="button" class="button button-quiet" onClick={onCancel} disabled={cancelling}>
        {cancelling ? v.cancelling : v.cancel}
      </button>
    </div>
  );
}

export function ViewingWidgetView({ widget }: { widget: ViewingWidget }) {
  const m = t.value;
  const v = m.viewing;
  const signedIn = user.value !== null;
  const [slots, setSlots] = useState<ViewingSlot[]>(widget.slots);
  const [working, setWorking] = useState<'booking' | 'cancelling' | 'loading' | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [askSignIn, setAskSignIn] = useState<string | null>(widget.signInFor);
  // This widget's own booking (made here, or by Amr), else the buyer's booked viewing of this listing if any.
  const [own, setOwn] = useState<Viewing | null>(null);
  const list = viewingList.value;
  const known = own ? (list?.find((x) => x.id === own.id) ?? own) : null;
  // Booked by Amr in the turn: as the buyer's list has it now (cancelled since, perhaps), else as the turn said.
  const fromAmr = widget.booked ? (list?.find((x) => x.id === widget.booked?.id) ?? amrBooking(widget)) : undefined;
  const shown = known ?? fromAmr ?? bookedViewingOf(widget.listingId, list);
  const booked = shown && shown.status === 'booked' ? shown : null;
  const title = listingTitle(widget.listingId);

  const refresh = async () => {
    setWorking('loading');
    try {
      // The next few, as Amr offers them (all of two weeks would be a wall of buttons).
      setSlots((await freeSlots(widget.listingId, null, 14)).slice(0, MAX_SLOTS));
    } catch (failure) {
      setError(failure);
    } finally {
      setWorking(null);
    }
  };

  const book = async (startsAt: string) => {
    setError(null);
    setNotice(null);
    if (!user.value) {
      keepPick({ sessionId: conversation.value?.id ?? null, listingId: widget.listingId, startsAt });
      setAskSignIn(startsAt);
      return;
    }
    setAskSignIn(null);
    setWorking('booking');
    try {
      const viewing = await bookViewing(widget.listingId, startsAt);
      setOwn(viewing);
      noteViewing(viewing);
    } catch (failure) {
      if (slotTaken(failure)) {
        setNotice(v.taken);
        setWorking(null);
        await refresh();
        return;
      }
      setError(failure);
    } finally {
      setWorking((now) => (now === 'booking' ? null : now));
    }
  };

  const cancel = async () => {
    if (!booked) return;
    setError(null);
    setWorking('cancelling');
    try {
      const viewing = await cancelViewing(booked.id);
      setOwn(viewing);
      noteViewing(viewing);
      setNotice(v.cancelled);
      setWorking(null);
      await refresh();
    } catch (failure) {
      setError(failure);
    } finally {
      setWorking((now) => (now === 'cancelling' ? null : now));
    }
  };

  useEffect(() => {
    // Back from signing in: the time picked before is booked now (once: the pick is taken from storage).
    if (!signedIn || list === null || booked) return;
    const pick = takePick(widget.listingId, conversation.value?.id ?? null);
    if (pick) void book(pick.startsAt);
  }, [signedIn, list === null]);

  const days = byDay(slots);
  const picked = widget.signInFor && Date.parse(widget.signInFor) > Date.now() ? widget.signInFor : null;
  // The region's name says which listing; the heading shows it on a line of its own, so an English title in an Arabic
  // sentence (or the reverse) keeps its own direction.
  const label = booked ? (title ? v.bookedFor(title) : v.bookedTitle) : title ? v.slotsFor(title) : v.slotsTitle;
  return (
    <section class="widget viewing" aria-label={label} data-listing-id={widget.listingId}>
      <h3>{booked ? v.viewingTitle : v.slotsTitle}</h3>
      {title ? (
        <p class="widget-listing" dir="auto">
          {title}
        </p>
      ) : null}
      {booked ? (
        <Booked viewing={booked} onCancel={() => void cancel()} cancelling={working === 'cancelling'} />
      ) : (
        <>
          {notice ? (
            <p class="notice" role="status">
              {notice}
            </p>
          ) : null}
          {days.length > 0 ? (
            <>
              <p class="widget-note">{v.cairoTime}</p>
              <SlotList
                slots={slots}
                label={v.slotLabel}
                onPick={(startsAt) => void book(startsAt)}
                disabled={working !== null}
                picked={askSignIn}
              />
            </>
          ) : working === 'loading' ? null : picked && signedIn ? (
            // Amr was asked for this time while the buyer was signed out.
            <button
              type="button"
              class="slot"
              data-starts-at={picked}
              disabled={working !== null}
              onClick={() => void book(picked)}
            >
              {v.slotLabel(cairoDay(picked), cairoTime(picked))}
            </button>
          ) : picked ? null : (
            <p>
              {slots.length > 0 ? v.passed : v.none}{' '}
              <button type="button" class="link-button" onClick={() => void refresh()}>
                {v.showTimes}
              </button>
            </p>
          )}
          {working === 'booking' || working === 'loading' ? (
            <p role="status">{working === 'booking' ? v.booking : v.loadingTimes}</p>
          ) : null}
          {askSignIn && !signedIn ? (
            <p class="notice" role="status">
              {v.signInToBook(`${cairoDay(askSignIn)}, ${cairoTime(askSignIn)}`)}{' '}
              <a
                href="/signin?next=%2F"
                onClick={() =>
                  keepPick({ sessionId: conversation.value?.id ?? null, listingId: widget.listingId, startsAt: askSignIn })
                }
              >
                {v.signIn}
              </a>
            </p>
          ) : null}
        </>
      )}
      {error ? <ErrorNotice error={error} /> : null}
    </section>
  );
}
