// The agent service's saved searches and alerts (services/agent/README.md, "Saved searches and alerts"): saving a
// search in the buyer's words, listing, pausing, changing and deleting them, what the alerts found, and the signed
// unsubscribe link of every alert email (no sign-in).
import { api, request } from './client';

export type AlertChannel = 'email' | 'sms';

/** A saved search (the agent's SavedSearch): its words, and the search service's reading of them as filters. */
export interface SavedSearch {
  id: string;
  query: string;
  filters: Record<string, unknown>;
  channel: AlertChannel;
  /** The language its alerts are written in: the query's. */
  language: 'en' | 'ar';
  active: boolean;
  created_at: string;
  updated_at: string;
}

/** One thing found for the buyer: a new listing matching a saved search, or a price drop on one they were shown. */
export interface Alert {
  kind: 'match' | 'price_drop';
  listing_id: string;
  saved_search_id: string | null;
  title: string;
  price: number;
  previous_price: number | null;
  channel: AlertChannel;
  found_at: string;
  /** When the digest carrying it went; null: in the next one. */
  sent_at: string | null;
}

export interface Saved {
  search: SavedSearch;
  /** False when the same words were saved already (201 new, 200 the same search with its channel updated). */
  created: boolean;
}

const path = (id: string) => `/api/saved-searches/${encodeURIComponent(id)}`;

/** Saves the words (signed in). 409: the most allowed already; 422: nothing to match on, or SMS without a phone (code phone_required). */
export async function saveSearch(query: string, channel: AlertChannel): Promise<Saved> {
  // Not api(): whether it is new (201) or the same search again (200) is in the status.
  const response = await request('/api/saved-searches', { body: { query, channel } });
  return { search: (await response.json()) as SavedSearch, created: response.status === 201 };
}

/** The buyer's saved searches, newest first (paused ones too). */
export async function mySavedSearches(): Promise<SavedSearch[]> {
  return (await api<{ items: SavedSearch[] }>('/api/saved-searches')).items;
}

export function updateSavedSearch(id: string, change: { channel?: AlertChannel; active?: boolean }): Promise<SavedSearch> {
  return api(path(id), { method: 'PATCH', body: change });
}

export function deleteSavedSearch(id: string): Promise<void> {
  return api(path(id), { method: 'DELETE' });
}

/** What the alerts found for the buyer, newest first, sent or not yet. */
export async function myAlerts(): Promise<Alert[]> {
  return (await api<{ items: Alert[] }>('/api/saved-searches/alerts')).items;
}

/** The link of an alert: switches off the saved search it names, or all of the buyer's; the ids switched off (empty:
 * they already were). 403 invalid_link: not signed by Osool, or altered. */
export async function unsubscribe(token: string): Promise<string[]> {
  return (await api<{ saved_search_ids: string[] }>('/api/saved-searches/unsubscribe', {
    body: { token },
    auth: 'none',
  })).saved_search_ids;
}
