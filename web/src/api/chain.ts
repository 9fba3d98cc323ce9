// The chain service's public reads the client uses (services/chain/README.md): a listing's record on the property
// registry (its status, document hash and the transactions that changed it) and the check of a document's hash.
import { api } from './client';

export type ChainStatus = 'available' | 'reserved' | 'sold';

/** A confirmed event of the registry contract that changed the listing. */
export interface ChainEvent {
  event: string;
  tx_hash: string;
  block_number: number;
  log_index: number;
  block_time: string;
  args: Record<string, string>;
}

/** A write accepted and not yet confirmed (in the outbox, or sent and waiting to be mined). */
export interface ChainTransaction {
  tx_id: string;
  function: string;
  listing_id: string | null;
  status: 'pending' | 'sent' | 'confirmed' | 'failed';
  tx_hash: string | null;
  nonce: number | null;
  block_number: number | null;
  gas_used: number | null;
  error: string | null;
  created_at: string;
}

/** chain: GET /api/chain/listings/{id} (404 when the listing was never registered). */
export interface ChainListing {
  listing_id: string;
  chain_listing_id: string;
  /** As indexed on chain; null until the registration itself is confirmed. */
  status: ChainStatus | null;
  /** What the status will be once every accepted write has landed. */
  pending_status: ChainStatus | null;
  owner: string | null;
  reserved_by: string | null;
  price_egp: number | null;
  document_hash: string | null;
  listed_at: string | null;
  updated_at: string | null;
  last_block: number | null;
  contract_address: string | null;
  transactions: ChainEvent[];
  pending_transactions: ChainTransaction[];
}

/** chain: POST /api/chain/verify. */
export interface Verification {
  listing_id: string;
  document_hash: string;
  matches: boolean;
  on_chain_document_hash: string;
  as_of_block: number | null;
}

export function chainListing(listingId: string, signal?: AbortSignal): Promise<ChainListing> {
  return api(`/api/chain/listings/${encodeURIComponent(listingId)}`, signal ? { signal } : {});
}

export function verifyDocument(listingId: string, documentHash: string): Promise<Verification> {
  return api('/api/chain/verify', { body: { listing_id: listingId, document_hash: documentHash } });
}
