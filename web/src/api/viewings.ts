// The agent service's viewing routes the client uses (services/agent/README.md, "Viewings"): free slots, booking,
// the buyer's own viewings, cancelling and moving one (signed in, or by the signed link of the email); and the
// listing a viewing is of.
import { api } from './client';

/** A free slot of a listing: one per start time (GET /api/viewings/slots, and Amr's schedule_viewing offers). */
export interface ViewingSlot {
  starts_at: string;
  ends_at: string;
  /** The start on the wall clock in Cairo, YYYY-MM-DDTHH:MM. */
  local_start: string;
  agent_id: string;
  assigned?: boolean;
}

export interface Viewing {
  id: string;
  listing_id: string;
  agent_id: string;
  user_id: string;
  starts_at: string;
  ends_at: string;
  status: 'booked' | 'cancelled' | 'done';
  sequence: number;
  created_at: string;
  cancelled_at: string | null;
  rescheduled_at: string | null;
}

const path = (id: string) => `/api/viewings/${encodeURIComponent(id)}`;
const withToken = (token: string | null) => (token ? `?token=${encodeURIComponent(token)}` : '');

/** The next free slots of a listing from a Cairo day (YYYY-MM-DD; today when null), 1..14 days; one agent's only
 * when `agentId` is given (a viewing moves to another time of the same agent). */
export function freeSlots(
  listingId: string,
  from: string | null = null,
  days = 7,
  agentId: string | null = null,
): Promise<ViewingSlot[]> {
  const query = new URLSearchParams({ listing_id: listingId, days: String(days) });
  if (from) query.set('from', from);
  if (agentId) query.set('agent_id', agentId);
  return api(`/api/viewings/slots?${query.toString()}`);
}

/** Books a free slot for the signed-in buyer: 409 slot_taken when someone was quicker, 422 not_a_free_slot when the
 * time is no longer offered. The buyer picks a time, not an agent: any agent free then takes it. */
export function bookViewing(listingId: string, startsAt: string): Promise<Viewing> {
  return api('/api/viewings', { body: { listing_id: listingId, starts_at: startsAt } });
}

export function myViewings(): Promise<Viewing[]> {
  return api('/api/viewings/mine');
}

/** As its buyer (the token attached), or by the email's link token (no sign-in). */
export function getViewing(id: string, token: string | null = null): Promise<Viewing> {
  return api(`${path(id)}${withToken(token)}`, token ? { auth: 'none' } : {});
}

export function cancelViewing(id: string, token: string | null = null): Promise<Viewing> {
  return api(`${path(id)}/cancel${withToken(token)}`, { method: 'POST', ...(token ? { auth: 'none' as const } : {}) });
}

/** Another free slot of the same agent: 409 slot_taken, 422 not_a_free_slot. */
export function rescheduleViewing(id: string, startsAt: string, token: string | null = null): Promise<Viewing> {
  return api(`${path(id)}/reschedule${withToken(token)}`, {
    body: { starts_at: startsAt },
    ...(token ? { auth: 'none' as const } : {}),
  });
}

/** What the viewing page says of the listing: the search service's public route (GET /api/properties/{id}), the
 * few fields a viewing needs. */
export interface ViewedListing {
  id: string;
  title: string;
  location: string;
  compound: string | null;
  location_ar?: string | null;
  compound_ar?: string | null;
}

export function viewedListing(listingId: string): Promise<ViewedListing> {
  return api(`/api/properties/${encodeURIComponent(listingId)}`, { auth: 'none' });
}
