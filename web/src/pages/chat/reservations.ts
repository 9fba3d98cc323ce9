// The signed-in buyer's reservations as the chat shows them (on listing cards and in Amr's replies), each pending one
// followed live until the registry confirms or refuses it. No event reaches the browser when the chain confirms (the
// turn's `reservation` events stop with the turn), so it polls GET /api/reservations/{id}, which reads the chain
// transaction afresh: after 1 s, then 1.5 times longer each time, at most every 10 s.
import { computed, signal } from '@preact/signals';
import { ApiError, SessionExpiredError } from '../../api/errors';
import {
  cancelReservation as cancelCall,
  getReservation,
  myReservations,
  type Reservation,
  reserve,
  type ReservationStatus,
} from '../../api/reservations';

export interface ReservationView {
  id: string;
  listingId: string;
  title: string;
  status: ReservationStatus;
  depositEgp: number;
  expiresAt: string;
  /** Why the registry refused it (failed), in the chain service's words. */
  error: string | null;
  /** When it was made (ms); the newest of a listing is the one its card shows. */
  made: number;
}

const FIRST_POLL_MS = 1000;
const MAX_POLL_MS = 10_000;

/** Every reservation known to this page, by id. */
export const reservations = signal<Record<string, ReservationView>>({});

/** The newest reservation of each listing. */
export const reservationOfListing = computed<Record<string, ReservationView>>(() => {
  const newest: Record<string, ReservationView> = {};
  for (const view of Object.values(reservations.value)) {
    const known = newest[view.listingId];
    if (!known || view.made > known.made) newest[view.listingId] = view;
  }
  return newest;
});

export function viewOf(row: Reservation): ReservationView {
  return {
    id: row.id,
    listingId: row.listing_id,
    title: row.listing_title,
    status: row.status,
    depositEgp: row.deposit_egp,
    expiresAt: row.expires_at,
    error: row.error,
    made: Date.parse(row.created_at) || Date.now(),
  };
}

function put(view: ReservationView): void {
  const known = reservations.value[view.id];
  // A title the newer word left out is kept; the making time is the earliest said (the API's, not a page's guess).
  const merged = known
    ? { ...known, ...view, title: view.title || known.title, made: Math.min(known.made, view.made) }
    : view;
  reservations.value = { ...reservations.value, [view.id]: merged };
  if (merged.status === 'pending') void follow(view.id);
}

/** What the turn said (a `reservation` event): newer than anything known. */
export function noteLive(view: ReservationView): void {
  put(view);
}

/** What a stored turn said (a conversation opened again): only when nothing newer is known; followed when pending. */
export function noteStored(view: ReservationView): void {
  if (!reservations.value[view.id]) put(view);
}

const following = new Set<string>();
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

async function follow(id: string): Promise<void> {
  if (following.has(id)) return;
  following.add(id);
  try {
    let delay = FIRST_POLL_MS;
    for (;;) {
      await sleep(delay);
      if (reservations.value[id]?.status !== 'pending') return; // settled meanwhile, or forgotten (signed out)
      try {
        const row = await getReservation(id);
        if (!reservations.value[id]) return;
        put(viewOf(row));
        if (row.status !== 'pending') return;
      } catch (error) {
        // Gone (404), signed out or refused: nothing more to follow. Offline, rate limited or a 5xx: try again later.
        if (error instanceof SessionExpiredError) return;
        if (error instanceof ApiError && error.status < 500 && error.status !== 429) return;
      }
      delay = Math.min(delay * 1.5, MAX_POLL_MS);
    }
  } finally {
    following.delete(id);
  }
}

/** Reserve a listing for the signed-in buyer: pending at once, then followed. Throws the API's error (409 taken). */
export async function reserveListing(listingId: string): Promise<ReservationView> {
  const view = viewOf(await reserve(listingId));
  put(view);
  return view;
}

export async function cancelReservation(id: string): Promise<void> {
  put(viewOf(await cancelCall(id)));
}

/** The buyer's own reservations (after signing in): what each card and reply shows is their state now. */
export async function loadMyReservations(): Promise<void> {
  try {
    const rows = await myReservations();
    for (const row of rows) put(viewOf(row));
  } catch {
    // The cards still offer to reserve; an error shows when the buyer tries.
  }
}

/** Signed out: nothing of the last person's stays on the page (pollers stop at their next turn). */
export function forgetReservations(): void {
  reservations.value = {};
}
