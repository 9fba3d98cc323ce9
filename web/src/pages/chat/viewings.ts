// The signed-in buyer's viewings as the chat shows them, and the time a buyer picked before signing in (kept in
// sessionStorage, so the sign-in page, even a sign-in that leaves the site and comes back, returns to it and books).
import { signal } from '@preact/signals';
import { myViewings, type Viewing } from '../../api/viewings';

/** The buyer's viewings (null until loaded or when signed out). */
export const viewingList = signal<Viewing[] | null>(null);

export async function loadMyViewings(): Promise<void> {
  try {
    viewingList.value = await myViewings();
  } catch {
    viewingList.value = viewingList.value ?? [];
  }
}

export function noteViewing(viewing: Viewing): void {
  const others = (viewingList.value ?? []).filter((known) => known.id !== viewing.id);
  viewingList.value = [viewing, ...others];
}

/** The buyer's booked viewing of a listing that has not ended yet, if any. */
export function bookedViewingOf(listingId: string, list: Viewing[] | null): Viewing | null {
  const now = Date.now();
  return list?.find((v) => v.listing_id === listingId && v.status === 'booked' && Date.parse(v.ends_at) > now) ?? null;
}

export function forgetViewings(): void {
  viewingList.value = null;
}

/** A time picked while signed out: booked when the buyer comes back signed in to the same conversation. */
export interface ViewingPick {
  sessionId: string | null;
  listingId: string;
  startsAt: string;
}

const PICK_KEY = 'osool.viewing_pick';

function store(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

export function keepPick(pick: ViewingPick): void {
  store()?.setItem(PICK_KEY, JSON.stringify(pick));
}

/** The pick for this listing (and conversation), removed as it is taken: it is booked once, by one widget. */
export function takePick(listingId: string, sessionId: string | null): ViewingPick | null {
  try {
    const raw = store()?.getItem(PICK_KEY);
    const pick = raw ? (JSON.parse(raw) as ViewingPick) : null;
    const otherConversation = pick?.sessionId && sessionId && pick.sessionId !== sessionId;
    if (!pick || pick.listingId !== listingId || otherConversation) return null;
    store()?.removeItem(PICK_KEY);
    return pick;
  } catch {
    return null;
  }
}

export function pendingPick(): ViewingPick | null {
  try {
    const raw = store()?.getItem(PICK_KEY);
    return raw ? (JSON.parse(raw) as ViewingPick) : null;
  } catch {
    return null;
  }
}
