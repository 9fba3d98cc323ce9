// Reserving a unit: the "Reserve" action of a listing card (a confirmation first; signed out, a way to sign in that
// keeps the conversation), and the reservation's status as it moves from pending to confirmed (or failed), live, with
// its deposit, how long it holds and a way to cancel it. The same status shows in Amr's reply when he reserved it.
import { useEffect, useId, useRef, useState } from 'preact/hooks';
import { ApiError } from '../../api/errors';
import type { Card } from '../../api/types';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Isolated } from '../../components/Isolated';
import { egp, t } from '../../i18n';
import { cairoDateTime } from '../../i18n/cairo';
import { user } from '../../state/session';
import {
  cancelReservation,
  reservationOfListing,
  reservations,
  reserveListing,
  type ReservationView,
} from './reservations';
import type { ReservationWidget } from './tools';

const LIVE = new Set(['pending', 'confirmed']);

function plainError(error: unknown) {
  const r = t.value.reservation;
  if (error instanceof ApiError && error.status === 409) {
    const status = (error.details as { status?: string } | null)?.status;
    return <p class="notice notice-error" role="alert">{status === 'pending' ? r.stillPending : r.taken}</p>;
  }
  return <ErrorNotice error={error} />;
}

/** A reservation's state in words, announced as it changes (role=status), with what the buyer may do next. */
export function ReservationStatus({ view, onAgain }: { view: ReservationView; onAgain?: () => void }) {
  const r = t.value.reservation;
  const [working, setWorking] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const cancel = async () => {
    setError(null);
    setWorking(true);
    try {
      await cancelReservation(view.id);
    } catch (failure) {
      setError(failure);
    } finally {
      setWorking(false);
    }
  };
  return (
    <div class="reservation" data-reservation-id={view.id} data-status={view.status}>
      <p class="reservation-state" role="status">
        <span class={`badge badge-reservation-${view.status}`}>{r.status[view.status] ?? view.status}</span>
      </p>
      {view.status === 'failed' ? <p class="notice notice-error">{r.failed}</p> : null}
      {LIVE.has(view.status) ? (
        <p class="reservation-terms">
          {view.depositEgp ? <span>{r.deposit(egp(view.depositEgp))}</span> : null}
          {view.depositEgp && view.expiresAt ? ' · ' : null}
          {view.expiresAt ? <span>{r.heldUntil(cairoDateTime(view.expiresAt))}</span> : null}
        </p>
      ) : null}
      {view.status === 'confirmed' ? (
        <button type="button" class="button button-quiet" onClick={() => void cancel()} disabled={working}>
          {working ? r.cancelling : r.cancel}
        </button>
      ) : null}
      {!LIVE.has(view.status) && onAgain ? (
        <button type="button" class="button button-quiet" onClick={onAgain}>
          {r.again}
        </button>
      ) : null}
      {error ? plainError(error) : null}
    </div>
  );
}

/** On a listing card: Reserve (with a confirmation), or the buyer's reservation of it. */
export function ReserveAction({ card }: { card: Card }) {
  const m = t.value;
  const r = m.reservation;
  const id = useId();
  const mine = user.value ? reservationOfListing.value[card.id] : undefined;
  const [step, setStep] = useState<'idle' | 'confirm' | 'signin' | 'working'>('idle');
  const [error, setError] = useState<unknown>(null);
  const [again, setAgain] = useState(false);
  const opener = useRef<HTMLButtonElement>(null);
  const confirmButton = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    // The confirmation opens where the button was: focus goes to its first choice.
    if (step === 'confirm') confirmButton.current?.focus();
  }, [step]);

  if (mine && !again) {
    return <ReservationStatus view={mine} onAgain={() => setAgain(true)} />;
  }
  // Reserved or sold by someone else: the card's registry badge says so; nothing to offer.
  if (!mine && (card.on_chain_status === 'reserved' || card.on_chain_status === 'sold')) return null;

  const submit = async () => {
    setError(null);
    setStep('working');
    try {
      await reserveListing(card.id);
      setAgain(false);
      setStep('idle');
    } catch (failure) {
      setError(failure);
      setStep('confirm');
    }
  };
  const close = () => {
    setStep('idle');
    setError(null);
    opener.current?.focus();
  };

  return (
    <div class="reserve">
      {step === 'idle' || step === 'signin' ? (
        <button
          type="button"
          class="button button-quiet"
          ref={opener}
          aria-expanded={step === 'signin'}
          aria-controls={step === 'signin' ? `${id}-signin` : undefined}
          onClick={() => setStep(user.value ? 'confirm' : 'signin')}
        >
          {r.reserve}
          <span class="visually-hidden"> {card.title}</span>
        </button>
      ) : null}
      {step === 'signin' ? (
        <p class="notice" id={`${id}-signin`}>
          {r.signInToReserve} <a href="/signin?next=%2F">{r.signIn}</a>
        </p>
      ) : null}
      {step === 'confirm' || step === 'working' ? (
        <div class="reserve-confirm" role="group" aria-labelledby={`${id}-title`}>
          <p id={`${id}-title`} class="reserve-confirm-title">
            <strong>
              <Isolated text={r.confirmTitle} value={card.title} />
            </strong>
          </p>
          <p class="widget-note">{r.confirmText}</p>
          <div class="reserve-buttons">
            <button
              type="button"
              class="button"
              disabled={step === 'working'}
              onClick={() => void submit()}
              ref={confirmButton}
            >
              {step === 'working' ? r.working : r.confirm}
            </button>
            <button type="button" class="button button-quiet" disabled={step === 'working'} onClick={close}>
              {r.notNow}
            </button>
          </div>
          {error ? plainError(error) : null}
        </div>
      ) : null}
    </div>
  );
}

/** In Amr's reply: the reservation he made, its status live (the store follows it). */
export function ReservationWidgetView({ widget }: { widget: ReservationWidget }) {
  const r = t.value.reservation;
  const view = reservations.value[widget.id] ?? {
    id: widget.id,
    listingId: widget.listingId,
    title: widget.title,
    status: widget.status,
    depositEgp: widget.depositEgp,
    expiresAt: widget.expiresAt,
    error: null,
    made: 0,
  };
  return (
    <section class="widget" aria-label={r.title}>
      <h3>{r.title}</h3>
      {view.title ? (
        <p class="widget-listing" dir="auto">
          {view.title}
        </p>
      ) : null}
      <ReservationStatus view={view} />
    </section>
  );
}
