// The agent service's reservation routes (services/agent/README.md, "Leads and reservations"): reserve a listing,
// read one (its chain status is refreshed on every read), the buyer's own, and cancel a confirmed one.
import { api } from './client';

export type ReservationStatus = 'pending' | 'confirmed' | 'failed' | 'cancelled' | 'expired';

export interface Reservation {
  id: string;
  listing_id: string;
  listing_title: string;
  price_egp: number;
  deposit_egp: number;
  status: ReservationStatus;
  buyer_address: string;
  chain_tx_id: string | null;
  release_tx_id: string | null;
  error: string | null;
  expires_at: string;
  created_at: string;
  updated_at: string;
}

const path = (id: string) => `/api/reservations/${encodeURIComponent(id)}`;

/** 201 pending (the registry confirms it a moment later); 409 when the unit is reserved, sold or withdrawn. */
export function reserve(listingId: string): Promise<Reservation> {
  return api('/api/reservations', { body: { listing_id: listingId } });
}

export function getReservation(id: string): Promise<Reservation> {
  return api(path(id));
}

export function myReservations(limit = 50): Promise<Reservation[]> {
  return api(`/api/reservations?limit=${limit}`);
}

/** Only a confirmed reservation: 409 while it is pending. */
export function cancelReservation(id: string): Promise<Reservation> {
  return api(`${path(id)}/cancel`, { method: 'POST' });
}
