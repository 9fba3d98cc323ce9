// The search service's routes the staff pages use: an administrator's ingest of a listings export, and one listing
// by id (services/search/README.md; osool_search.schemas is the contract).
import { api, upload } from './client';

/** The public gateway's body limit (devstack/render.py `public_body_limit`): larger exports go through `make ingest`. */
export const MAX_UPLOAD_BYTES = 1024 * 1024;

export interface IngestRejection {
  /** A CSV row as a spreadsheet numbers it (the header is row 1), or a JSON record's number from 1. */
  position: number;
  source_id: string | null;
  /** The validator's words, in English. */
  reason: string;
}

export interface IngestReport {
  run_id: string;
  source: string;
  read: number;
  inserted: number;
  updated: number;
  unchanged: number;
  rejected: number;
  embedded: number;
  embedding_cache_hits: number;
  rejections: IngestRejection[];
  seconds: number;
}

export type ExportFormat = 'json' | 'csv';

/** JSON or CSV, by the file's name first (what people pick), then by the type the browser gives it. */
export function exportFormat(file: File): ExportFormat | null {
  const name = file.name.toLowerCase();
  if (name.endsWith('.json')) return 'json';
  if (name.endsWith('.csv') || name.endsWith('.tsv')) return 'csv';
  if (file.type === 'application/json') return 'json';
  if (file.type === 'text/csv' || file.type === 'application/vnd.ms-excel') return 'csv';
  return null;
}

/**
 * Sends the export; the route validates and upserts every record before it answers (no job to poll), so the
 * progress is the upload's, then a wait for the report.
 */
export function ingestExport(
  file: File,
  source: string,
  progress: { onProgress: (sent: number, total: number) => void; onSent: () => void; signal: AbortSignal },
): Promise<IngestReport> {
  const format = exportFormat(file) ?? 'csv';
  return upload<IngestReport>(`/api/properties/ingest?source=${encodeURIComponent(source)}`, file, {
    contentType: format === 'json' ? 'application/json' : 'text/csv',
    ...progress,
  });
}

/** What the staff pages show of a listing (the full listing has every field of the export). */
export interface ListingSummary {
  id: string;
  source_id: string;
  title: string;
  location: string;
  compound: string | null;
  price: number;
}

export function getListing(id: string, signal?: AbortSignal): Promise<ListingSummary> {
  return api<ListingSummary>(`/api/properties/${encodeURIComponent(id)}`, { signal });
}
