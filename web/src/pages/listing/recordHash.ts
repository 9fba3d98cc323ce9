// The hash of a listing's record as Osool registers it on chain, and the hash of a file a person holds: both checked
// against the registry by POST /api/chain/verify.
import type { Property } from '../../api/search';

/** The fields the agent hashes when a reservation registers a listing (osool_agent.reservations.record_hash). */
const RECORD_FIELDS = ['id', 'source_id', 'title', 'type', 'location', 'price', 'size_sqm'] as const;

/** A number as Python's json.dumps writes it: a float keeps its ".0" (size_sqm is a float), an int does not. */
function pythonNumber(value: number, isFloat: boolean): string {
  const text = JSON.stringify(value);
  return isFloat && Number.isInteger(value) ? `${text}.0` : text;
}

/** A string as json.dumps writes it (ensure_ascii): DEL and all beyond ASCII as lower-case \uXXXX escapes. */
function pythonString(value: string): string {
  const escape = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, escape);
}

/**
 * The exact text `json.dumps(fields, sort_keys=True, default=str)` makes of the record (separators ", " and ": "),
 * written here because the hash must match Python's bytes; no JSON library writes Python's float and escape style.
 */
export function recordText(listing: Property): string {
  const entries = [...RECORD_FIELDS].sort().map((name) => {
    const value = listing[name];
    const text =
      typeof value === 'number' ? pythonNumber(value, name === 'size_sqm') : pythonString(String(value));
    return `${pythonString(name)}: ${text}`;
  });
  return `{${entries.join(', ')}}`;
}

async function sha256(bytes: BufferSource): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes);
  return `0x${Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/** 0x + the sha256 of the listing's record: what the registry holds when Osool registered this listing. */
export function recordHash(listing: Property): Promise<string> {
  return sha256(new TextEncoder().encode(recordText(listing)));
}

/** 0x + the sha256 of a file's bytes (a contract or a deed someone registered). */
export async function fileHash(file: Blob): Promise<string> {
  return sha256(await file.arrayBuffer());
}
