// The search page (/search): free text plus filters, its state in the URL (shareable; the back button steps through
// searches). What the search understood of the words, and each filter set, show as chips; removing one searches
// again without it. Results page on with "Show more". The words can be saved for alerts (SaveSearch).
import { useLocation } from 'preact-iso';
import { useEffect, useRef, useState } from 'preact/hooks';
import {
  arabicOf,
  knownNames,
  type ListOrder,
  listProperties,
  loadKnownNames,
  parseQuery,
  type Property,
  type Relaxation,
  searchProperties,
  type SearchResponse,
} from '../../api/search';
import { ErrorNotice } from '../../components/ErrorNotice';
import { egpShort, num, placeName, t } from '../../i18n';
import { typeName } from '../listing/figures';
import { ResultCard } from './ResultCard';
import { SaveSearch } from './SaveSearch';
import {
  EMPTY,
  filtersOf,
  isEmpty,
  parsePrice,
  type SearchState,
  type Sort,
  stateFromUrl,
  urlOf,
  withoutPhrase,
} from './query';

const PAGE = 12;

interface Results {
  key: string;
  listings: Property[];
  understood: string[];
  unmatched: string[];
  /** A budget said in another currency, which the search left out (listings are priced in pounds). */
  currency: string | null;
  relaxations: Relaxation[];
  next: string | null;
  /** The order the listings are in (the sort's value that shows it). */
  order: Sort;
}

/**
 * One page of results: ranked by the words when there are words, else the newest that pass the filters; in price
 * order when the person chose it (or, with words and no choice, when the words asked for it: "the cheapest").
 */
async function fetchPage(state: SearchState, cursor: string | null, signal?: AbortSignal) {
  const filters = filtersOf(state);
  const sort = state.sort;
  if (state.q) {
    const order = sort === 'newest' || sort === null ? undefined : sort;
    const answer: SearchResponse = await searchProperties(state.q, filters, cursor, PAGE, signal, order);
    return {
      listings: answer.results,
      understood: answer.understood,
      unmatched: answer.unmatched_features,
      currency: answer.currency ?? null,
      relaxations: answer.relaxations ?? [],
      next: answer.next_cursor,
      order: answer.order ?? 'relevance',
    };
  }
  const order: ListOrder = sort === null || sort === 'relevance' ? 'newest' : sort;
  const page = await listProperties(filters, cursor, PAGE, signal, order);
  return {
    listings: page.results,
    understood: [],
    unmatched: [],
    currency: null,
    relaxations: [],
    next: page.next_cursor,
    order,
  };
}

/** How the listings are ordered, chosen at once (no submit): best match (with words) or the newest (without), or by
 * price, size or price per square metre either way. */
function SortChoice({ state, shown, onSort }: { state: SearchState; shown: Sort; onSort: (sort: Sort) => void }) {
  const s = t.value.search;
  const first: Sort = state.q ? 'relevance' : 'newest';
  const options: Array<[Sort, string]> = [
    [first, state.q ? s.sortRelevance : s.sortNewest],
    ['price_asc', s.sortPriceAsc],
    ['price_desc', s.sortPriceDesc],
    ['size_desc', s.sortSizeDesc],
    ['size_asc', s.sortSizeAsc],
    ['price_per_sqm_asc', s.sortPerSqmAsc],
    ['price_per_sqm_desc', s.sortPerSqmDesc],
  ];
  const value = shown === 'relevance' || shown === 'newest' ? first : shown;
  return (
    <div class="field search-sort">
      <label for="search-sort">{s.sortLabel}</label>
      <select id="search-sort" value={value} onChange={(event) => onSort(event.currentTarget.value as Sort)}>
        {options.map(([sort, label]) => (
          <option key={sort} value={sort}>
            {label}
          </option>
        ))}
      </select>
    </div>
  );
}

interface Chip {
  key: string;
  label: string;
  /** The state without it; null when it cannot be taken out (its phrase is not in the words as written). */
  without: SearchState | null;
}

function chipsOf(state: SearchState, understood: string[]): { words: Chip[]; filters: Chip[] } {
  const m = t.value;
  const s = m.search;
  const words = understood.map((phrase, index) => {
    const q = withoutPhrase(state.q, phrase);
    return { key: `w${index}-${phrase}`, label: phrase, without: q === state.q ? null : { ...state, q } };
  });
  const filters: Chip[] = [];
  if (state.type) filters.push({ key: 'type', label: typeName(state.type, m), without: { ...state, type: null } });
  if (state.location) {
    const label = placeName(state.location, arabicOf(state.location));
    filters.push({ key: 'location', label, without: { ...state, location: null } });
  }
  if (state.minPrice !== null) {
    filters.push({ key: 'min', label: s.chipFrom(egpShort(state.minPrice)), without: { ...state, minPrice: null } });
  }
  if (state.maxPrice !== null) {
    filters.push({ key: 'max', label: s.chipUpTo(egpShort(state.maxPrice)), without: { ...state, maxPrice: null } });
  }
  if (state.bedrooms !== null) {
    filters.push({ key: 'rooms', label: s.chipBedrooms(state.bedrooms), without: { ...state, bedrooms: null } });
  }
  for (const feature of state.features) {
    filters.push({
      key: `f-${feature}`,
      label: m.listingFields.features[feature] ?? feature,
      without: { ...state, features: state.features.filter((other) => other !== feature) },
    });
  }
  return { words, filters };
}

function ChipList({ title, chips, onRemove }: { title: string; chips: Chip[]; onRemove: (chip: Chip) => void }) {
  const s = t.value.search;
  if (chips.length === 0) return null;
  return (
    <div class="chip-group">
      <p class="chip-group-title">{title}</p>
      <ul class="chips">
        {chips.map((chip) => (
          <li key={chip.key} class="chip">
            <bdi>{chip.label}</bdi>
            {chip.without ? (
              <button
                type="button"
                class="chip-remove"
                aria-label={s.remove(chip.label)}
                onClick={() => onRemove(chip)}
              >
                <span aria-hidden="true">×</span>
              </button>
            ) : null}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** The form's fields as typed (prices as text: "8M"), filled from the URL's state. */
interface Draft {
  q: string;
  type: string;
  location: string;
  minPrice: string;
  maxPrice: string;
  bedrooms: string;
  features: string[];
}

function draftOf(state: SearchState): Draft {
  return {
    q: state.q,
    type: state.type ?? '',
    location: state.location ? placeName(state.location, arabicOf(state.location)) : '',
    minPrice: state.minPrice === null ? '' : num(state.minPrice),
    maxPrice: state.maxPrice === null ? '' : num(state.maxPrice),
    bedrooms: state.bedrooms === null ? '' : String(state.bedrooms),
    features: state.features,
  };
}

function SearchForm({ state, onSearch }: { state: SearchState; onSearch: (next: SearchState) => void }) {
  const m = t.value;
  const s = m.search;
  const [draft, setDraft] = useState<Draft>(() => draftOf(state));
  const [priceError, setPriceError] = useState<string | null>(null);
  const [working, setWorking] = useState(false);
  const key = urlOf(state);
  useEffect(() => {
    setDraft(draftOf(state));
    setPriceError(null);
  }, [key]);
  // The known names arrive after the first render: the place field, untouched, then shows its name in the language.
  const names = knownNames.value;
  useEffect(() => {
    const place = state.location;
    if (!place) return;
    setDraft((current) => (current.location === place ? { ...current, location: draftOf(state).location } : current));
  }, [names]);
  const set = (patch: Partial<Draft>) => setDraft((current) => ({ ...current, ...patch }));
  const chosen = [state.type, state.location, state.minPrice, state.maxPrice, state.bedrooms];
  const setCount = chosen.filter((value) => value !== null).length + state.features.length;
  // Open at first on a wide screen, or when a filter is set; on a phone the results come first. After that, the
  // person opens and closes them (never toggled by a render).
  const [filtersOpen] = useState(() => setCount > 0 || window.matchMedia('(min-width: 40rem)').matches);
  const [featuresOpen] = useState(() => state.features.length > 0);

  async function submit(event: Event) {
    event.preventDefault();
    const minPrice = parsePrice(draft.minPrice);
    const maxPrice = parsePrice(draft.maxPrice);
    if (minPrice === null || maxPrice === null) {
      setPriceError(s.badPrice);
      return;
    }
    if (minPrice !== undefined && maxPrice !== undefined && minPrice > maxPrice) {
      setPriceError(s.badRange);
      return;
    }
    setPriceError(null);
    let location = draft.location.trim() || null;
    if (location && location !== state.location) {
      // The search's own reading of a place ("التجمع الخامس", "tagamo3", "new cairo") gives its name; of a region
      // ("الجيزة", "east cairo"), the region's, which the search reads as all its places.
      setWorking(true);
      try {
        const read = await parseQuery(location);
        location = read.regions[0] ?? read.filters.locations?.[0] ?? location;
      } catch {
        // kept as typed: the search matches names case-insensitively, and says so if it knows none
      } finally {
        setWorking(false);
      }
    }
    onSearch({
      q: draft.q.trim(),
      type: draft.type || null,
      location,
      minPrice: minPrice ?? null,
      maxPrice: maxPrice ?? null,
      bedrooms: draft.bedrooms ? Number(draft.bedrooms) : null,
      features: draft.features,
      sort: state.sort,
    });
  }

  const featureNames = m.listingFields.features;
  return (
    <form role="search" class="search-form" onSubmit={(event) => void submit(event)} aria-label={s.title}>
      <label for="search-q" class="search-q-label">
        {s.queryLabel}
      </label>
      <div class="search-bar">
        <input
          id="search-q"
          type="search"
          dir="auto"
          value={draft.q}
          onInput={(event) => set({ q: event.currentTarget.value })}
          aria-describedby="search-q-hint"
          maxLength={500}
        />
        <button type="submit" class="button" disabled={working}>
          {s.submit}
        </button>
      </div>
      <p class="field-hint" id="search-q-hint">
        {s.queryHint}
      </p>
      <details class="search-filters-box" open={filtersOpen}>
        <summary>{s.filtersSet(setCount)}</summary>
        <fieldset class="search-filters">
          <legend class="visually-hidden">{s.filters}</legend>
          <div class="search-filter-grid">
            <div class="field">
              <label for="search-type">{s.type}</label>
              <select
                id="search-type"
                value={draft.type}
                onChange={(event) => set({ type: event.currentTarget.value })}
              >
                <option value="">{s.anyType}</option>
                {Object.keys(m.listingFields.types).map((type) => (
                  <option key={type} value={type}>
                    {typeName(type, m)}
                  </option>
                ))}
              </select>
            </div>
            <div class="field">
              <label for="search-location">{s.location}</label>
              <input
                id="search-location"
                type="text"
                dir="auto"
                value={draft.location}
                onInput={(event) => set({ location: event.currentTarget.value })}
                aria-describedby="search-location-hint"
                maxLength={100}
                list="search-places"
              />
              <datalist id="search-places">
                {knownNames.value
                  .filter((known) => known.kind === 'area' || known.kind === 'region')
                  .map((known) => (
                    <option key={known.name} value={placeName(known.name, known.arabic)} />
                  ))}
              </datalist>
              <p class="field-hint" id="search-location-hint">
                {s.locationHint}
              </p>
            </div>
            <fieldset class="search-price" aria-describedby="search-price-hint">
              <legend>{s.price}</legend>
              <div class="search-price-inputs">
                <div class="field">
                  <label for="search-min">{s.minPrice}</label>
                  <input
                    id="search-min"
                    type="text"
                    inputMode="decimal"
                    dir="auto"
                    value={draft.minPrice}
                    onInput={(event) => set({ minPrice: event.currentTarget.value })}
                    aria-invalid={priceError ? true : undefined}
                  />
                </div>
                <div class="field">
                  <label for="search-max">{s.maxPrice}</label>
                  <input
                    id="search-max"
                    type="text"
                    inputMode="decimal"
                    dir="auto"
                    value={draft.maxPrice}
                    onInput={(event) => set({ maxPrice: event.currentTarget.value })}
                    aria-invalid={priceError ? true : undefined}
                  />
                </div>
              </div>
              <p class="field-hint" id="search-price-hint">
                {s.priceHint}
              </p>
              {priceError ? (
                <p class="notice notice-error" role="alert">
                  {priceError}
                </p>
              ) : null}
            </fieldset>
            <div class="field">
              <label for="search-bedrooms">{s.bedrooms}</label>
              <select
                id="search-bedrooms"
                value={draft.bedrooms}
                onChange={(event) => set({ bedrooms: event.currentTarget.value })}
              >
                <option value="">{s.anyBedrooms}</option>
                {[1, 2, 3, 4, 5, 6].map((n) => (
                  <option key={n} value={String(n)}>
                    {num(n)}
                  </option>
                ))}
              </select>
            </div>
          </div>
          <details class="search-features" open={featuresOpen}>
            <summary>{s.featuresChosen(draft.features.length)}</summary>
            <fieldset>
              <legend class="visually-hidden">{s.features}</legend>
              <ul class="feature-choices">
                {Object.keys(featureNames).map((feature) => (
                  <li key={feature}>
                    <label>
                      <input
                        type="checkbox"
                        name="feature"
                        value={feature}
                        checked={draft.features.includes(feature)}
                        onChange={(event) =>
                          set({
                            features: event.currentTarget.checked
                              ? [...draft.features, feature]
                              : draft.features.filter((other) => other !== feature),
                          })
                        }
                      />
                      {featureNames[feature]}
                    </label>
                  </li>
                ))}
              </ul>
            </fieldset>
          </details>
        </fieldset>
        <div class="search-actions">
          <button type="submit" class="button" disabled={working}>
            {s.apply}
          </button>
          <a class="button button-quiet" href="/search">
            {s.clear}
          </a>
        </div>
      </details>
    </form>
  );
}

export function SearchPage() {
  const m = t.value;
  const s = m.search;
  const { url, route } = useLocation();
  const state = stateFromUrl(url.includes('?') ? url.slice(url.indexOf('?')) : '');
  const key = urlOf(state);
  const [results, setResults] = useState<Results | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [more, setMore] = useState<{ busy: boolean; error: unknown }>({ busy: false, error: null });
  const [attempt, setAttempt] = useState(0);
  const focusChip = useRef<number | null>(null);
  const section = useRef<HTMLElement>(null);
  useEffect(loadKnownNames, []);

  useEffect(() => {
    setError(null);
    setMore({ busy: false, error: null });
    if (isEmpty(state)) {
      setResults(null);
      return;
    }
    const controller = new AbortController();
    fetchPage(state, null, controller.signal).then(
      (page) => {
        if (!controller.signal.aborted) setResults({ key, ...page });
      },
      (failure: unknown) => {
        if (!controller.signal.aborted) setError(failure);
      },
    );
    return () => controller.abort();
  }, [key, attempt]);

  const current = results?.key === key ? results : null;
  const loading = !isEmpty(state) && current === null && error === null;
  const chips = chipsOf(state, current?.understood ?? []);

  // After a chip is removed and the new answer shows, focus goes to the chip now in its place (or the words' box).
  useEffect(() => {
    if (focusChip.current === null || !current) return;
    const buttons = section.current?.querySelectorAll<HTMLButtonElement>('.chip-remove') ?? [];
    const next = buttons[Math.min(focusChip.current, buttons.length - 1)];
    focusChip.current = null;
    (next ?? document.getElementById('search-q'))?.focus();
  }, [current]);

  function remove(chip: Chip) {
    if (!chip.without) return;
    const all = [...chips.words, ...chips.filters].filter((other) => other.without);
    focusChip.current = Math.max(0, all.indexOf(chip));
    route(urlOf(chip.without));
  }

  async function loadMore() {
    if (!current?.next) return;
    setMore({ busy: true, error: null });
    try {
      const page = await fetchPage(state, current.next);
      setResults((shown) =>
        shown?.key === key
          ? { ...shown, listings: [...shown.listings, ...page.listings], next: page.next }
          : shown,
      );
      setMore({ busy: false, error: null });
    } catch (failure) {
      setMore({ busy: false, error: failure });
    }
  }

  const unmatched = (current?.unmatched ?? []).map((feature) => m.listingFields.features[feature] ?? feature);
  return (
    <section class="search-page" aria-labelledby="search-title" ref={section}>
      <h1 id="search-title">{s.title}</h1>
      <SearchForm state={state} onSearch={(next) => route(urlOf(next))} />

      {chips.words.length + chips.filters.length > 0 ? (
        <section class="search-chips" aria-label={s.chipsLabel}>
          <ChipList title={s.fromWords} chips={chips.words} onRemove={remove} />
          <ChipList title={s.fromFilters} chips={chips.filters} onRemove={remove} />
        </section>
      ) : null}

      {isEmpty(state) ? (
        <div class="search-intro">
          <p>{s.intro}</p>
          <p class="chat-examples-label">{s.examplesLabel}</p>
          <ul class="chat-examples">
            {s.examples.map((example) => (
              <li key={example}>
                <a class="example" href={urlOf({ ...EMPTY, q: example })} dir="auto">
                  {example}
                </a>
              </li>
            ))}
          </ul>
        </div>
      ) : (
        <section
          class="search-results"
          aria-labelledby="search-results-title"
          aria-busy={loading}
          data-shown={current?.key ?? ''}
        >
          <h2 id="search-results-title" class="visually-hidden">
            {s.resultsLabel}
          </h2>
          <div class="search-results-head">
            <p class="search-status" role="status">
              {loading ? s.searching : current ? s.found(current.listings.length, current.next !== null) : ''}
            </p>
            <SortChoice
              state={state}
              shown={state.sort ?? current?.order ?? (state.q ? 'relevance' : 'newest')}
              onSort={(sort) => route(urlOf({ ...state, sort }))}
            />
          </div>
          {/* Alerts follow words (the agent saves what its parser reads in them); a search of filters alone has none. */}
          {state.q ? (
            <SaveSearch
              query={state.q}
              filtersSet={urlOf({ ...EMPTY, q: state.q, sort: state.sort }) !== key}
              here={key}
            />
          ) : null}
          {error ? (
            <div class="retry-notice">
              <ErrorNotice error={error} />
              <button type="button" class="button button-quiet" onClick={() => setAttempt((n) => n + 1)}>
                {m.listing.retry}
              </button>
            </div>
          ) : null}
          {current?.currency ? <p class="notice search-currency">{s.currency(current.currency)}</p> : null}
          {unmatched.length > 0 ? <p class="notice">{s.unmatched(unmatched.join(', '))}</p> : null}
          {current && current.listings.length === 0 ? (
            current.relaxations.length > 0 ? (
              <div class="notice search-relaxed">
                <p>{s.noneButRelaxed}</p>
                <ul>
                  {current.relaxations.map((relaxation) => (
                    <li key={relaxation.group} data-group={relaxation.group}>
                      {s.relaxedFinds(
                        s.relaxed[relaxation.group] ?? relaxation.group,
                        relaxation.count,
                        relaxation.count >= relaxation.at_most,
                        relaxation.cheapest_price === null ? null : egpShort(relaxation.cheapest_price),
                      )}
                    </li>
                  ))}
                </ul>
              </div>
            ) : (
              <p class="notice">{s.none}</p>
            )
          ) : null}
          {current && current.listings.length > 0 ? (
            <ul class="listing-grid">
              {current.listings.map((listing) => (
                <li key={listing.id}>
                  <ResultCard listing={listing} />
                </li>
              ))}
            </ul>
          ) : null}
          {current?.next ? (
            <p class="search-more">
              <button type="button" class="button button-quiet" disabled={more.busy} onClick={() => void loadMore()}>
                {more.busy ? s.loadingMore : s.more}
              </button>
            </p>
          ) : null}
          <ErrorNotice error={more.error} />
        </section>
      )}
    </section>
  );
}
