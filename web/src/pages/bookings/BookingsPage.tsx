// The buyer's bookings (/bookings, signed in): their viewings from the agent service (upcoming ones soonest first,
// each a link to /viewings/{id} to cancel or move it; past and cancelled ones apart) and their reservations (status,
// deposit, the hold's end in Cairo time, the registry's record, cancelling a confirmed one after asking).
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../../api/errors';
import { cancelReservation, myReservations, type Reservation } from '../../api/reservations';
import { myViewings, type ViewedListing, viewedListing, type Viewing } from '../../api/viewings';
import { ErrorNotice } from '../../components/ErrorNotice';
import { date, egp, placesOf, t } from '../../i18n';
import { cairoDateTime, cairoDay, cairoTime } from '../../i18n/cairo';

const listingPath = (id: string) => `/listings/${encodeURIComponent(id)}`;

/** Booked and not yet over: the ones the buyer may still cancel or move. */
const isUpcoming = (viewing: Viewing, now: number) => viewing.status === 'booked' && Date.parse(viewing.ends_at) > now;

function ViewingItem({ viewing, listing }: { viewing: Viewing; listing: ViewedListing | undefined }) {
  const m = t.value;
  const b = m.bookings;
  const upcoming = isUpcoming(viewing, Date.now());
  const title = listing?.title ?? b.listing;
  return (
    <li class="booking" data-viewing-id={viewing.id} data-status={viewing.status}>
      <h4 class="booking-title">
        <a href={listingPath(viewing.listing_id)} dir="auto">
          {title}
        </a>
      </h4>
      {listing ? (
        <p class="booking-meta booking-terms">
          {placesOf(listing).map((part) => (
            <span key={part} dir="auto">
              {part}
            </span>
          ))}
        </p>
      ) : null}
      <p class="booking-when">
        <strong>{b.when(cairoDay(viewing.starts_at), cairoTime(viewing.starts_at), cairoTime(viewing.ends_at))}</strong>
      </p>
      <p class="booking-meta">{b.agent}</p>
      <p class="booking-line">
        <span class={`badge badge-viewing-${viewing.status}`}>{b.viewingStatus[viewing.status] ?? viewing.status}</span>{' '}
        <a href={`/viewings/${encodeURIComponent(viewing.id)}`}>
          {upcoming ? b.manage : b.details}
          <span class="visually-hidden">: {title}</span>
        </a>
      </p>
    </li>
  );
}

function Viewings() {
  const m = t.value;
  const b = m.bookings;
  const [viewings, setViewings] = useState<Viewing[] | null>(null);
  const [listings, setListings] = useState<Record<string, ViewedListing>>({});
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    let live = true;
    myViewings().then(
      (found) => {
        if (!live) return;
        setViewings(found);
        // Each listing's title once; a viewing whose listing cannot be read still shows its time.
        for (const id of new Set(found.map((viewing) => viewing.listing_id))) {
          viewedListing(id)
            .then((item) => live && setListings((known) => ({ ...known, [id]: item })))
            .catch(() => undefined);
        }
      },
      (failure: unknown) => {
        if (!live) return;
        setError(failure);
        setViewings([]);
      },
    );
    return () => {
      live = false;
    };
  }, []);

  const now = Date.now();
  const upcoming = (viewings ?? [])
    .filter((viewing) => isUpcoming(viewing, now))
    .sort((x, y) => Date.parse(x.starts_at) - Date.parse(y.starts_at));
  const others = (viewings ?? [])
    .filter((viewing) => !isUpcoming(viewing, now))
    .sort((x, y) => Date.parse(y.starts_at) - Date.parse(x.starts_at));

  return (
    <section class="bookings-section" aria-labelledby="bookings-viewings-title">
      <h2 id="bookings-viewings-title">{b.viewingsTitle}</h2>
      <ErrorNotice error={error} />
      {viewings === null ? (
        <p role="status">{b.loadingViewings}</p>
      ) : viewings.length === 0 ? (
        error ? null : (
          <p class="bookings-empty" data-empty="viewings">
            {b.noViewings} <a href="/">{b.toChat}</a>
          </p>
        )
      ) : (
        <>
          <h3>{b.upcomingTitle}</h3>
          {upcoming.length === 0 ? (
            <p class="bookings-empty" data-empty="upcoming">
              {b.noUpcoming} <a href="/">{b.toChat}</a>
            </p>
          ) : (
            <ul class="bookings-list" aria-label={b.upcomingLabel} data-list="upcoming">
              {upcoming.map((viewing) => (
                <ViewingItem key={viewing.id} viewing={viewing} listing={listings[viewing.listing_id]} />
              ))}
            </ul>
          )}
          <h3>{b.pastTitle}</h3>
          {others.length === 0 ? (
            <p class="bookings-empty">{b.noPast}</p>
          ) : (
            <ul class="bookings-list" aria-label={b.pastLabel} data-list="past">
              {others.map((viewing) => (
                <ViewingItem key={viewing.id} viewing={viewing} listing={listings[viewing.listing_id]} />
              ))}
            </ul>
          )}
        </>
      )}
    </section>
  );
}

/** Why cancelling failed, in words: 409 says what the reservation is now (pending: not yet; else: no longer). */
function CancelError({ error }: { error: unknown }) {
  const b = t.value.bookings;
  if (error instanceof ApiError && error.status === 409) {
    const status = (error.details as { status?: string } | null)?.status;
    const words =
      status === 'pending'
        ? b.stillPending
        : b.notCancellable(((status && b.reservationStatus[status]) || status || '').toLocaleLowerCase());
    return (
      <p class="notice notice-error" role="alert">
        {words}
      </p>
    );
  }
  return <ErrorNotice error={error} />;
}

function ReservationItem({
  reservation,
  onCancelled,
}: {
  reservation: Reservation;
  onCancelled: (changed: Reservation) => void;
}) {
  const b = t.value.bookings;
  const [asking, setAsking] = useState(false);
  const [working, setWorking] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const confirmButton = useRef<HTMLButtonElement>(null);
  const opener = useRef<HTMLButtonElement>(null);
  const live = reservation.status === 'pending' || reservation.status === 'confirmed';
  const title = reservation.listing_title;

  useEffect(() => {
    // The question takes the focus to its first choice, where the keyboard is.
    if (asking) confirmButton.current?.focus();
  }, [asking]);

  const cancel = async () => {
    setWorking(true);
    setError(null);
    try {
      const changed = await cancelReservation(reservation.id);
      setAsking(false);
      onCancelled(changed);
    } catch (failure) {
      setError(failure);
      setAsking(false);
    } finally {
      setWorking(false);
    }
  };

  return (
    <li class="booking" data-reservation-id={reservation.id} data-status={reservation.status}>
      <h3 class="booking-title">
        <a href={listingPath(reservation.listing_id)} dir="auto">
          {title}
        </a>
      </h3>
      <p class="booking-line">
        <span class={`badge badge-reservation-${reservation.status}`}>
          {b.reservationStatus[reservation.status] ?? reservation.status}
        </span>
      </p>
      {/* Parts apart by a gap, not a middle dot: in Arabic a dot beside figures reads as the digit zero. */}
      <p class="booking-terms">
        <span>{b.deposit(egp(reservation.deposit_egp))}</span> <span>{b.price(egp(reservation.price_egp))}</span>
      </p>
      <p class="booking-meta booking-terms">
        {live ? <span>{b.heldUntil(cairoDateTime(reservation.expires_at))}</span> : null}
        {reservation.status === 'expired' ? <span>{b.holdEnded(cairoDateTime(reservation.expires_at))}</span> : null}{' '}
        <span>{b.reservedOn(date(reservation.created_at))}</span>
      </p>
      {reservation.status === 'failed' ? <p class="notice notice-error">{b.failed}</p> : null}
      {reservation.chain_tx_id ? (
        <p class="booking-line">
          <a href={`${listingPath(reservation.listing_id)}#registry`}>
            {b.registry}
            <span class="visually-hidden">: {title}</span>
          </a>
        </p>
      ) : null}
      {reservation.status === 'confirmed' && !asking ? (
        <div class="booking-actions">
          <button type="button" class="button button-quiet" ref={opener} onClick={() => setAsking(true)}>
            {b.cancel}
            <span class="visually-hidden">: {title}</span>
          </button>
        </div>
      ) : null}
      {reservation.status === 'confirmed' && asking ? (
        <div class="confirm" role="group" aria-label={b.cancelQuestion(title)}>
          <p>
            {b.cancelQuestion(title)}
          </p>
          <div class="confirm-buttons">
            <button
              type="button"
              class="button button-danger"
              ref={confirmButton}
              disabled={working}
              onClick={() => void cancel()}
            >
              {working ? b.cancelling : b.cancelYes}
            </button>
            <button
              type="button"
              class="button button-quiet"
              disabled={working}
              onClick={() => {
                setAsking(false);
                requestAnimationFrame(() => opener.current?.focus());
              }}
            >
              {b.keep}
            </button>
          </div>
        </div>
      ) : null}
      {error ? <CancelError error={error} /> : null}
    </li>
  );
}

function Reservations({ onNotice }: { onNotice: (words: string) => void }) {
  const b = t.value.bookings;
  const [reservations, setReservations] = useState<Reservation[] | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    let live = true;
    myReservations(100).then(
      (found) => live && setReservations(found),
      (failure: unknown) => {
        if (!live) return;
        setError(failure);
        setReservations([]);
      },
    );
    return () => {
      live = false;
    };
  }, []);

  const cancelled = (changed: Reservation) => {
    setReservations((known) => (known ?? []).map((other) => (other.id === changed.id ? changed : other)));
    onNotice(b.cancelled(changed.listing_title));
  };

  return (
    <section class="bookings-section" aria-labelledby="bookings-reservations-title">
      <h2 id="bookings-reservations-title">{b.reservationsTitle}</h2>
      <ErrorNotice error={error} />
      {reservations === null ? (
        <p role="status">{b.loadingReservations}</p>
      ) : reservations.length === 0 ? (
        error ? null : (
          <p class="bookings-empty" data-empty="reservations">
            {b.noReservations} <a href="/">{b.toChat}</a>
          </p>
        )
      ) : (
        <ul class="bookings-list" aria-label={b.reservationsLabel} data-list="reservations">
          {reservations.map((reservation) => (
            <ReservationItem key={reservation.id} reservation={reservation} onCancelled={cancelled} />
          ))}
        </ul>
      )}
    </section>
  );
}

export function BookingsPage() {
  const b = t.value.bookings;
  const [notice, setNotice] = useState<string | null>(null);
  return (
    <section class="bookings-page" aria-labelledby="bookings-title">
      <h1 id="bookings-title">{b.title}</h1>
      <p>{b.intro}</p>
      <div aria-live="polite">{notice ? <p class="notice notice-success">{notice}</p> : null}</div>
      <Viewings />
      <Reservations onNotice={setNotice} />
    </section>
  );
}
