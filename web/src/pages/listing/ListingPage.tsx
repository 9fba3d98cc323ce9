// The listing page (/listings/:id): every field of the listing, the comparable listings and what they make of its
// price, the market figures of its area and type, and its record on the blockchain registry with its verification.
import type { ComponentChildren } from 'preact';
import { useRoute } from 'preact-iso';
import { useState } from 'preact/hooks';
import { ApiError } from '../../api/errors';
import { comparables, getProperty, getPropertyBySource, type Property } from '../../api/search';
import { area, date, egp, num, percent, placeName, placesOf, t, type Messages, year } from '../../i18n';
import { ChainRecord } from './ChainRecord';
import { gap, median, typeName } from './figures';
import { MarketSection } from './MarketSection';
import { RetryNotice } from './RetryNotice';
import { useLoad } from './useLoad';

/** A listing not updated for this long is flagged, as the agent flags it on a card (LISTING_STALE_AFTER_DAYS). */
const STALE_AFTER_DAYS = 30;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Comparables asked for: ten, and one more since the listing itself is usually among them. */
const COMPARABLES = 10;

function Photo({ listing }: { listing: Property }) {
  const m = t.value;
  const [failed, setFailed] = useState(false);
  if (listing.image_url && !failed) {
    return (
      <img
        class="listing-page-photo"
        src={listing.image_url}
        alt={m.card.photo(listing.title)}
        onError={() => setFailed(true)}
      />
    );
  }
  return (
    <div class="listing-page-photo listing-photo-empty" role="img" aria-label={m.card.noPhoto}>
      <span aria-hidden="true">{listing.type.slice(0, 1)}</span>
    </div>
  );
}

function deliveryOf(listing: Property, m: Messages): string {
  if (listing.is_delivered) return m.card.delivered;
  return listing.delivery_year ? m.card.deliveryIn(year(listing.delivery_year)) : m.card.unknown;
}

function Fact({ name, children }: { name: string; children: ComponentChildren }) {
  return (
    <div>
      <dt>{name}</dt>
      <dd>{children}</dd>
    </div>
  );
}

function Details({ listing }: { listing: Property }) {
  const m = t.value;
  const l = m.listing;
  const f = m.listingFields;
  const unknown = m.card.unknown;
  return (
    <section class="listing-section" aria-labelledby="listing-details-title">
      <h2 id="listing-details-title">{l.detailsTitle}</h2>
      <dl class="listing-page-facts">
        <Fact name={l.type}>{typeName(listing.type, m)}</Fact>
        <Fact name={l.location}>
          <span dir="auto">{placeName(listing.location, listing.location_ar)}</span>
        </Fact>
        <Fact name={l.compound}>
          {listing.compound ? <span dir="auto">{placeName(listing.compound, listing.compound_ar)}</span> : unknown}
        </Fact>
        <Fact name={l.developer}>
          {listing.developer ? <span dir="auto">{placeName(listing.developer, listing.developer_ar)}</span> : unknown}
        </Fact>
        <Fact name={l.size}>{area(listing.size_sqm)}</Fact>
        <Fact name={l.bedrooms}>{listing.bedrooms === null ? unknown : num(listing.bedrooms)}</Fact>
        <Fact name={l.bathrooms}>{listing.bathrooms === null ? unknown : num(listing.bathrooms)}</Fact>
        <Fact name={l.finishing}>
          {listing.finishing ? (f.finishing[listing.finishing] ?? listing.finishing) : unknown}
        </Fact>
        <Fact name={l.delivery}>{deliveryOf(listing, m)}</Fact>
        <Fact name={l.saleType}>{f.saleTypes[listing.sale_type] ?? listing.sale_type}</Fact>
        <Fact name={l.cashOnly}>{listing.is_cash_only ? l.yes : l.no}</Fact>
        <Fact name={l.downPayment}>
          {listing.down_payment_pct === null
            ? unknown
            : percent(listing.down_payment_pct) +
              (listing.down_payment && !listing.is_cash_only ? ` (${egp(listing.down_payment)})` : '')}
        </Fact>
        <Fact name={l.installmentYears}>
          {listing.installment_years ? m.finance.years(listing.installment_years) : unknown}
        </Fact>
        <Fact name={l.monthly}>{listing.monthly_installment ? egp(listing.monthly_installment) : unknown}</Fact>
      </dl>
      <h3>{l.features}</h3>
      {listing.features.length > 0 ? (
        <ul class="feature-list">
          {listing.features.map((feature) => (
            <li key={feature}>{f.features[feature] ?? feature}</li>
          ))}
        </ul>
      ) : (
        <p class="listing-muted">{l.noFeatures}</p>
      )}
      {listing.description ? (
        <>
          <h3>{l.description}</h3>
          <p class="listing-description" dir="auto">
            {listing.description}
          </p>
        </>
      ) : null}
      <h3>{l.recordTitle}</h3>
      <dl class="listing-page-facts listing-record">
        <Fact name={l.listingId}>
          <code>{listing.id}</code>
        </Fact>
        <Fact name={l.sourceId}>
          <code>{listing.source_id}</code>
        </Fact>
        <Fact name={l.added}>{date(listing.created_at)}</Fact>
        <Fact name={l.updated}>{date(listing.updated_at)}</Fact>
        {listing.source_url ? (
          <Fact name={l.source}>
            <a href={listing.source_url} rel="noopener noreferrer" target="_blank">
              {l.sourceLink}
              <span class="visually-hidden"> {l.newTab}</span>
            </a>
          </Fact>
        ) : null}
      </dl>
    </section>
  );
}

function ComparablesSection({ listing }: { listing: Property }) {
  const m = t.value;
  const l = m.listing;
  const load = useLoad(`${listing.id}`, (signal) => comparables(listing, COMPARABLES + 1, signal));
  let body;
  if (load.state === 'loading') {
    body = <p role="status">{l.comparablesLoading}</p>;
  } else if (load.state === 'failed') {
    body = <RetryNotice error={load.error} retry={load.retry} />;
  } else {
    const others = load.data.comparables.filter((other) => other.id !== listing.id).slice(0, COMPARABLES);
    const perSqm = median(others.map((other) => other.price_per_sqm));
    if (others.length === 0 || perSqm === null) {
      body = <p class="listing-muted">{l.comparablesNone}</p>;
    } else {
      const value = perSqm * listing.size_sqm;
      const versus = gap(listing.price, value);
      body = (
        <>
          <p class="listing-verdict">
            {l.comparablesValue(others.length, egp(perSqm), egp(value))}{' '}
            {versus ? l.versusValue(versus.pct, versus.above) : l.sameAsValue}
          </p>
          <div class="table-scroll" tabIndex={0} role="region" aria-label={l.comparablesCaption}>
            <table class="data-table comparables-table">
              <caption class="visually-hidden">{l.comparablesCaption}</caption>
              <thead>
                <tr>
                  <th scope="col">{l.title}</th>
                  <th scope="col">{l.size}</th>
                  <th scope="col">{l.bedrooms}</th>
                  <th scope="col">{l.price}</th>
                  <th scope="col">{l.perSqm}</th>
                </tr>
              </thead>
              <tbody>
                {others.map((other) => (
                  <tr key={other.id} data-listing-id={other.id}>
                    <th scope="row">
                      <a href={`/listings/${encodeURIComponent(other.id)}`} dir="auto">
                        {other.title}
                      </a>
                    </th>
                    <td>{area(other.size_sqm)}</td>
                    <td>{other.bedrooms === null ? m.card.unknown : num(other.bedrooms)}</td>
                    <td>{egp(other.price)}</td>
                    <td>{egp(other.price_per_sqm)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      );
    }
  }
  return (
    <section class="listing-section" aria-labelledby="comparables-title" aria-busy={load.state === 'loading'}>
      <h2 id="comparables-title">{l.comparablesTitle}</h2>
      <p class="listing-muted">
        {l.comparablesIntro(m.types[listing.type] ?? listing.type, placeName(listing.location, listing.location_ar))}
      </p>
      {body}
    </section>
  );
}

function Stale({ listing }: { listing: Property }) {
  const age = Date.now() - new Date(listing.updated_at).getTime();
  if (age < STALE_AFTER_DAYS * 86_400_000) return null;
  return <p class="notice">{t.value.listing.stale(date(listing.updated_at))}</p>;
}

export function ListingPage() {
  const m = t.value;
  const l = m.listing;
  const { params } = useRoute();
  const id = params.id ?? '';
  // Osool's id (what the chat and the search link to), or the source export's ("/listings/NC-003223").
  const load = useLoad(id, (signal) => (UUID.test(id) ? getProperty(id, signal) : getPropertyBySource(id, signal)));

  if (load.state === 'loading') {
    return (
      <section aria-labelledby="listing-loading-title">
        <h1 id="listing-loading-title" class="visually-hidden">
          {m.card.details}
        </h1>
        <p role="status">{l.loading}</p>
      </section>
    );
  }
  if (load.state === 'failed') {
    const gone = load.error instanceof ApiError && (load.error.status === 404 || load.error.status === 422);
    return (
      <section aria-labelledby="listing-missing-title">
        <h1 id="listing-missing-title">{gone ? l.notFoundTitle : m.card.details}</h1>
        {gone ? <p>{l.notFound}</p> : <RetryNotice error={load.error} retry={load.retry} />}
        <p>
          <a href="/search">{l.backToSearch}</a>
        </p>
      </section>
    );
  }

  const listing = load.data;
  return (
    <article class="listing-page" aria-labelledby="listing-title" data-listing-id={listing.id}>
      <p class="listing-back">
        <a href="/search">{l.backToSearch}</a>
      </p>
      <header class="listing-page-head">
        <Photo listing={listing} />
        <div class="listing-page-summary">
          <h1 id="listing-title" dir="auto">
            {listing.title}
          </h1>
          <p class="listing-place" dir="auto">
            {placesOf(listing).join(' · ')}
          </p>
          <p class="listing-page-price">
            <span class="visually-hidden">{l.price}: </span>
            <strong>{egp(listing.price)}</strong>
            <span class="listing-per-sqm">{m.card.perSqm(egp(listing.price_per_sqm))}</span>
          </p>
          <p class="listing-badges">
            <span class={`badge ${listing.is_available ? 'badge-available' : 'badge-sold'}`}>
              {listing.is_available ? l.onMarket : l.withdrawn}
            </span>
          </p>
          <Stale listing={listing} />
        </div>
      </header>
      <Details listing={listing} />
      <ComparablesSection listing={listing} />
      <MarketSection listing={listing} />
      <ChainRecord listing={listing} />
    </article>
  );
}
