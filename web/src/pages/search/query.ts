// The search page's state as it lives in the URL (shareable, and the back button steps through searches): the words,
// and the filters a person set; how a chip's phrase leaves the words; and prices as people type them.
import { MEASURED_ORDERS, type MeasuredOrder, type SearchFilters } from '../../api/search';

/** The order a person chose; null: the words' own (relevance, or "the cheapest"), or the newest without words. */
export type Sort = 'relevance' | 'newest' | MeasuredOrder;
const SORTS: readonly string[] = ['relevance', 'newest', ...MEASURED_ORDERS];

export interface SearchState {
  q: string;
  type: string | null;
  location: string | null;
  minPrice: number | null;
  maxPrice: number | null;
  bedrooms: number | null;
  features: string[];
  sort: Sort | null;
}

export const EMPTY: SearchState = {
  q: '',
  type: null,
  location: null,
  minPrice: null,
  maxPrice: null,
  bedrooms: null,
  features: [],
  sort: null,
};

function whole(value: string | null): number | null {
  if (value === null || !/^\d{1,12}$/.test(value)) return null;
  return Number(value);
}

/** The state of a /search URL's query string (unknown or malformed parameters are ignored). */
export function stateFromUrl(search: string): SearchState {
  const params = new URLSearchParams(search);
  return {
    q: params.get('q')?.trim() ?? '',
    type: params.get('type') || null,
    location: params.get('location')?.trim() || null,
    minPrice: whole(params.get('min_price')),
    maxPrice: whole(params.get('max_price')),
    bedrooms: whole(params.get('bedrooms')),
    features: [...new Set(params.getAll('feature').filter(Boolean))],
    sort: SORTS.includes(params.get('sort') ?? '') ? (params.get('sort') as Sort) : null,
  };
}

export function urlOf(state: SearchState): string {
  const params = new URLSearchParams();
  if (state.q) params.set('q', state.q);
  if (state.type) params.set('type', state.type);
  if (state.location) params.set('location', state.location);
  if (state.minPrice !== null) params.set('min_price', String(state.minPrice));
  if (state.maxPrice !== null) params.set('max_price', String(state.maxPrice));
  if (state.bedrooms !== null) params.set('bedrooms', String(state.bedrooms));
  for (const feature of state.features) params.append('feature', feature);
  if (state.sort) params.set('sort', state.sort);
  const query = params.toString();
  return query ? `/search?${query}` : '/search';
}

/** The filters a person set, sent as the search's explicit filters (they win over what the words say). */
export function filtersOf(state: SearchState): SearchFilters {
  const filters: SearchFilters = {};
  if (state.type) filters.property_types = [state.type];
  if (state.location) filters.locations = [state.location];
  if (state.minPrice !== null) filters.min_price = state.minPrice;
  if (state.maxPrice !== null) filters.max_price = state.maxPrice;
  if (state.bedrooms !== null) filters.bedrooms = state.bedrooms;
  if (state.features.length > 0) filters.features = state.features;
  return filters;
}

export function isEmpty(state: SearchState): boolean {
  return urlOf(state) === '/search';
}

// Marks the search's parser drops before reading (osool_search.query_parser.clean_query): Arabic diacritics and
// tatweel, and invisible formatting marks; a phrase it reports may skip them where the words had them.
const IGNORABLE = '[\\u0610-\\u061a\\u064b-\\u065f\\u0670\\u06d6-\\u06ed\\u0640\\u200b-\\u200f\\u2066-\\u2069]*';
// Words a removed phrase may leave hanging at either end ("apartment in", "villa with a").
const LINKS = '(?:in|at|with|and|or|near|a|an|the|في|فى|ب|مع|و|ولا)';
const DANGLING = new RegExp(`^${LINKS}\\s+|\\s+${LINKS}$`, 'giu');

/**
 * The words without one phrase the search understood (a chip): the phrase as the buyer wrote it (before a correction
 * arrow: "appartment → Apartment"), matched across the spaces and marks the parser ignores. Taking the phrase out of
 * the words, rather than overriding a filter, also drops what it ruled out ("not a villa") and leaves the rest of the
 * reading as it was. The words unchanged when the phrase is not in them.
 */
export function withoutPhrase(words: string, phrase: string): string {
  const written = phrase.split(' → ')[0]!.trim();
  if (!written) return words;
  const text = words.normalize('NFKC');
  const pattern = [...written.normalize('NFKC')]
    .map((char) => (/\s/.test(char) ? '\\s+' : char.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join(IGNORABLE);
  const found = new RegExp(pattern, 'iu').exec(text);
  if (!found) return words;
  const rest = `${text.slice(0, found.index)} ${text.slice(found.index + found[0].length)}`;
  let tidy = rest.replace(/\s+/g, ' ').replace(/\s+([,،.])/g, '$1').replace(/^[\s,،.]+|[\s,،]+$/g, '');
  for (let before = ''; before !== tidy; ) {
    before = tidy;
    tidy = tidy.replace(DANGLING, '').trim();
  }
  return tidy;
}

/** Arabic-Indic and Persian digits as ASCII ones. */
function asciiDigits(text: string): string {
  return text.replace(/[٠-٩۰-۹]/g, (digit) => {
    const arabic = '٠١٢٣٤٥٦٧٨٩'.indexOf(digit);
    return String(arabic >= 0 ? arabic : '۰۱۲۳۴۵۶۷۸۹'.indexOf(digit));
  });
}

/**
 * A price as people type it: "8500000", "8,500,000", "8.5M", "8.5 million", "750k", "EGP 8M", "٨ مليون",
 * "٨٬٥٠٠٬٠٠٠ جنيه". Whole pounds; null when the text is no price, undefined when empty (no price asked for).
 */
export function parsePrice(text: string): number | null | undefined {
  const folded = asciiDigits(text.trim().toLowerCase())
    .replace(/[,٬\s]/g, '')
    .replace('٫', '.')
    .replace(/^(?:egp|le)/, '')
    .replace(/(?:egp|le|جنيه|ج\.?م\.?)$/, '');
  if (!folded) return text.trim() ? null : undefined;
  const match = /^(\d+(?:\.\d+)?)(m|mn|million|مليون|k|thousand|الف|ألف)?$/.exec(folded);
  if (!match) return null;
  const unit = match[2] ?? '';
  const scale = /^(?:m|mn|million|مليون)$/.test(unit) ? 1_000_000 : unit ? 1_000 : 1;
  const value = Math.round(Number(match[1]) * scale);
  return Number.isSafeInteger(value) && value <= 2_000_000_000 ? value : null;
}
