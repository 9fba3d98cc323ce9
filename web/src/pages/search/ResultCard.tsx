// One search result: photo (or its placeholder), the title as the link to the listing's page, place, price and price
// per m², size, bedrooms, bathrooms, delivery, finishing and the features it names.
import { useState } from 'preact/hooks';
import type { Property } from '../../api/search';
import { area, egp, num, placesOf, t, year } from '../../i18n';
import { typeName } from '../listing/figures';

function Photo({ listing }: { listing: Property }) {
  const m = t.value;
  const [failed, setFailed] = useState(false);
  if (listing.image_url && !failed) {
    return (
      <img
        class="listing-photo"
        src={listing.image_url}
        alt=""
        loading="lazy"
        onError={() => setFailed(true)}
      />
    );
  }
  return (
    <div class="listing-photo listing-photo-empty" aria-hidden="true">
      <span>{typeName(listing.type, m).slice(0, 1)}</span>
    </div>
  );
}

export function ResultCard({ listing }: { listing: Property }) {
  const m = t.value;
  const f = m.listingFields;
  const titleId = `result-${listing.id}`;
  const delivery = listing.is_delivered
    ? m.search.delivered
    : listing.delivery_year
      ? m.card.deliveryIn(year(listing.delivery_year))
      : m.card.unknown;
  return (
    <article class="listing-card result-card" aria-labelledby={titleId} data-listing-id={listing.id}>
      <Photo listing={listing} />
      <div class="listing-body">
        <h3 id={titleId} class="listing-title">
          <a href={`/listings/${encodeURIComponent(listing.id)}`} dir="auto">
            {listing.title}
          </a>
        </h3>
        <p class="listing-place" dir="auto">
          {[typeName(listing.type, m), ...placesOf(listing)].join(' · ')}
        </p>
        <p class="listing-price">
          <span class="visually-hidden">{m.card.price}: </span>
          <strong>{egp(listing.price)}</strong>
          <span class="listing-per-sqm">{m.card.perSqm(egp(listing.price_per_sqm))}</span>
        </p>
        <dl class="listing-facts">
          <div>
            <dt>{m.card.size}</dt>
            <dd>{area(listing.size_sqm)}</dd>
          </div>
          <div>
            <dt>{m.card.bedrooms}</dt>
            <dd>{listing.bedrooms === null ? m.card.unknown : num(listing.bedrooms)}</dd>
          </div>
          {listing.bathrooms !== null ? (
            <div>
              <dt>{m.card.bathrooms}</dt>
              <dd>{num(listing.bathrooms)}</dd>
            </div>
          ) : null}
          <div>
            <dt>{m.card.delivery}</dt>
            <dd>{delivery}</dd>
          </div>
          <div>
            <dt>{m.listing.finishing}</dt>
            <dd>{listing.finishing ? (f.finishing[listing.finishing] ?? listing.finishing) : m.card.unknown}</dd>
          </div>
        </dl>
        {listing.features.length > 0 ? (
          <ul class="feature-list feature-list-small" aria-label={m.listing.features}>
            {listing.features.map((feature) => (
              <li key={feature}>{f.features[feature] ?? feature}</li>
            ))}
          </ul>
        ) : null}
      </div>
    </article>
  );
}
