// The search service's routes the client uses (services/search/README.md): listings, search, the query parser, the
// market figures and an administrator's ingest of a listings export, with the shapes they answer (its OpenAPI
// document is the contract).
import { signal } from '@preact/signals';
import { api, upload } from './client';

export type Finishing = 'core_and_shell' | 'semi_finished' | 'fully_finished' | 'furnished';

/** search: GET /api/properties/{id}, and every result of a search or a listing page. */
export interface Property {
  id: string;
  source_id: string;
  title: string;
  description: string;
  type: string;
  location: string;
  compound: string | null;
  developer: string | null;
  /** The gazetteer's Arabic names of the place, compound and developer; null for a name it does not know. */
  location_ar?: string | null;
  compound_ar?: string | null;
  developer_ar?: string | null;
  price: number;
  price_per_sqm: number;
  size_sqm: number;
  bedrooms: number | null;
  bathrooms: number | null;
  finishing: Finishing | null;
  delivery_year: number | null;
  is_delivered: boolean;
  sale_type: 'developer' | 'resale';
  down_payment_pct: number | null;
  /** What the buyer pays up front, EGP: the price times down_payment_pct (all of it when cash only). */
  down_payment?: number | null;
  installment_years: number | null;
  monthly_installment: number | null;
  is_cash_only: boolean;
  image_url: string | null;
  source_url: string | null;
  is_available: boolean;
  features: string[];
  embedding_model: string;
  created_at: string;
  updated_at: string;
}

/** The filters a search applies (osool_search.filters.SearchFilters); the client sends the ones a person set. */
export interface SearchFilters {
  property_types?: string[];
  locations?: string[];
  min_price?: number;
  max_price?: number;
  bedrooms?: number;
  features?: string[];
  [name: string]: unknown;
}

/** What a search that found nothing would find with one group of its filters given up (the most listings first). */
export interface Relaxation {
  group: string;
  /** The applied filters the group takes out. */
  without: string[];
  /** Counted up to at_most. */
  count: number;
  at_most: number;
  /** For the price group: the cheapest listing without the budget (EGP). */
  cheapest_price: number | null;
}

/** The orders by a listing's own figures, the same for a search and a listing page: price, size, price per m². */
export const MEASURED_ORDERS = [
  'price_asc',
  'price_desc',
  'size_desc',
  'size_asc',
  'price_per_sqm_asc',
  'price_per_sqm_desc',
] as const;
export type MeasuredOrder = (typeof MEASURED_ORDERS)[number];
/** A search's order (the words' own, "the cheapest", "the biggest", unless the client asks for one). */
export type SearchOrder = 'relevance' | MeasuredOrder;
/** A listing page's order without words to rank by. */
export type ListOrder = 'newest' | MeasuredOrder;

export interface SearchResponse {
  results: Array<Property & { score: number; similarity: number }>;
  applied_filters: Record<string, unknown>;
  query_text: string;
  /** The buyer's phrases that were read, in order ("not a villa", "appartment → Apartment"): the chips. */
  understood: string[];
  unmatched_features: string[];
  relaxations: Relaxation[];
  /** The order the results are in: the request's, else the one the words asked for, else relevance. */
  order: SearchOrder;
  next_cursor: string | null;
  /** A budget the words said in another currency (USD, EUR, ...): left out, as listings are priced in pounds. */
  currency?: string | null;
}

export interface PropertyPage {
  results: Property[];
  next_cursor: string | null;
}

export interface ParsedQuery {
  filters: SearchFilters;
  text: string;
  understood: string[];
  /** The regions the words name ("Giza", "East Cairo"): filters.locations lists their places. */
  regions: string[];
}

export interface YearStats {
  delivery_year: number | null;
  count: number;
  median_price_per_sqm: number | null;
  mean_price_per_sqm: number | null;
}

export interface MarketStats {
  location: string | null;
  type: string | null;
  count: number;
  median_price_per_sqm: number | null;
  mean_price_per_sqm: number | null;
  median_price: number | null;
  min_price: number | null;
  max_price: number | null;
  by_delivery_year: YearStats[];
}

export interface Comparables {
  location: string;
  type: string;
  size_sqm: number;
  estimated_price: number | null;
  median_price_per_sqm: number | null;
  comparables: Array<Property & { size_gap_sqm: number }>;
}

const signalOf = (signal?: AbortSignal) => (signal ? { signal } : {});

export function getProperty(id: string, signal?: AbortSignal): Promise<Property> {
  return api(`/api/properties/${encodeURIComponent(id)}`, signalOf(signal));
}

/** A listing by the id its source export gave it ("NC-003223"). */
export function getPropertyBySource(sourceId: string, signal?: AbortSignal): Promise<Property> {
  return api(`/api/properties/source/${encodeURIComponent(sourceId)}`, signalOf(signal));
}

export function searchProperties(
  query: string,
  filters: SearchFilters,
  cursor: string | null,
  limit: number,
  signal?: AbortSignal,
  order?: SearchOrder,
): Promise<SearchResponse> {
  // explain_empty: an empty search says what each filter given up would find (shown under the notice).
  const body: Record<string, unknown> = { query, limit, explain_empty: true };
  if (Object.keys(filters).length > 0) body.filters = filters;
  if (order) body.order = order;
  if (cursor) body.cursor = cursor;
  return api('/api/properties/search', { body, ...signalOf(signal) });
}

/** Listings that match the filters, newest first or by price (no words to rank by). */
export function listProperties(
  filters: SearchFilters,
  cursor: string | null,
  limit: number,
  signal?: AbortSignal,
  order: ListOrder = 'newest',
): Promise<PropertyPage> {
  const params = new URLSearchParams();
  if (order !== 'newest') params.set('order', order);
  for (const type of filters.property_types ?? []) params.append('type', type);
  for (const location of filters.locations ?? []) params.append('location', location);
  for (const feature of filters.features ?? []) params.append('feature', feature);
  for (const key of ['min_price', 'max_price', 'bedrooms'] as const) {
    const value = filters[key];
    if (value !== undefined) params.set(key, String(value));
  }
  params.set('limit', String(limit));
  if (cursor) params.set('cursor', cursor);
  return api(`/api/properties?${params}`, signalOf(signal));
}

export function parseQuery(query: string, signal?: AbortSignal): Promise<ParsedQuery> {
  return api('/api/properties/parse', { body: { query }, ...signalOf(signal) });
}

export function marketStats(location: string, type: string, signal?: AbortSignal): Promise<MarketStats> {
  const params = new URLSearchParams({ location, type });
  return api(`/api/market/stats?${params}`, signalOf(signal));
}

export function comparables(
  listing: Pick<Property, 'location' | 'type' | 'size_sqm' | 'bedrooms'>,
  limit: number,
  signal?: AbortSignal,
): Promise<Comparables> {
  const params = new URLSearchParams({
    location: listing.location,
    type: listing.type,
    size_sqm: String(listing.size_sqm),
    limit: String(limit),
  });
  if (listing.bedrooms !== null) params.set('bedrooms', String(listing.bedrooms));
  return api(`/api/market/comparables?${params}`, signalOf(signal));
}

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

/** search: GET /api/properties/names, a name the search knows with its Arabic name. A region ("Giza") is a filter
 * on all its places. */
export interface KnownName {
  kind: 'area' | 'region' | 'compound' | 'developer';
  name: string;
  arabic: string;
  area: string | null;
}

/** The names the search knows, fetched once per page load (they change only with a release): empty until they
 * arrive, or when they cannot (then a place shows as the filter names it). */
export const knownNames = signal<KnownName[]>([]);
let namesAsked = false;

export function loadKnownNames(): void {
  if (namesAsked) return;
  namesAsked = true;
  api<{ names: KnownName[] }>('/api/properties/names', { auth: 'none' }).then(
    (body) => {
      knownNames.value = body.names;
    },
    () => {
      namesAsked = false; // asked again by the next page that needs them
    },
  );
}

/** A known name's Arabic name; null for a name the search does not know. */
export function arabicOf(name: string): string | null {
  return knownNames.value.find((known) => known.name === name)?.arabic ?? null;
}

/** What the staff pages show of a listing. */
export type ListingSummary = Pick<
  Property,
  'id' | 'source_id' | 'title' | 'location' | 'compound' | 'location_ar' | 'compound_ar' | 'price'
>;

export function getListing(id: string, signal?: AbortSignal): Promise<ListingSummary> {
  return getProperty(id, signal);
}
