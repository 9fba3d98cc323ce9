// One listing as a card: photo (or its placeholder), title, price and price per m², size, bedrooms, bathrooms,
// compound, delivery, payment plan and the on-chain status, with a box to pick it for the comparison and a way to
// reserve it.
import { useId, useState } from 'preact/hooks';
import type { Card } from '../../api/types';
import { area, date, egp, num, percent, placesOf, t, year, type Messages } from '../../i18n';
import { MAX_COMPARE, selected, toggleSelected } from './conversation';
import { ReserveAction } from './Reservation';
import { reservationOfListing } from './reservations';

export function planText(card: Card, m: Messages): string {
  const plan = card.payment_plan;
  if (plan.is_cash_only) return m.card.cashOnly;
  return m.card.plan(
    plan.down_payment_pct === null ? null : percent(plan.down_payment_pct),
    plan.down_payment ? egp(plan.down_payment) : null,
    plan.installment_years,
    plan.monthly_installment ? egp(plan.monthly_installment) : null,
  );
}

export function deliveryText(card: Card, m: Messages): string {
  if (card.is_delivered) return m.card.delivered;
  return card.delivery_year ? m.card.deliveryIn(year(card.delivery_year)) : m.card.unknown;
}

export function chainText(card: Card, m: Messages): string {
  return m.card.chain[card.on_chain_status ?? 'unknown'] ?? m.card.chain.unknown ?? '';
}

/** The listing's photo; its placeholder when it has none or the photo does not load (demo listings name a host that
 * does not exist). */
function ListingPhoto({ card }: { card: Card }) {
  const m = t.value;
  const [failed, setFailed] = useState(false);
  if (card.image_url && !failed) {
    return (
      <img
        class="listing-photo"
        src={card.image_url}
        alt={m.card.photo(card.title)}
        loading="lazy"
        onError={() => setFailed(true)}
      />
    );
  }
  return (
    <div class="listing-photo listing-photo-empty" role="img" aria-label={m.card.noPhoto}>
      <span aria-hidden="true">{card.type.slice(0, 1)}</span>
    </div>
  );
}

export function ListingCard({ card }: { card: Card }) {
  const m = t.value;
  const titleId = useId();
  const picked = selected.value.some((c) => c.id === card.id);
  const full = !picked && selected.value.length >= MAX_COMPARE;
  // The buyer's own confirmed reservation is newer than the status the card was built with.
  const mine = reservationOfListing.value[card.id];
  const status = mine?.status === 'confirmed' ? 'reserved' : (card.on_chain_status ?? 'unknown');
  return (
    <article class="listing-card" aria-labelledby={titleId} data-listing-id={card.id}>
      <ListingPhoto card={card} />
      <div class="listing-body">
        <h3 id={titleId} class="listing-title" dir="auto">
          {card.title}
        </h3>
        <p class="listing-place" dir="auto">
          {placesOf(card).join(' · ')}
        </p>
        <p class="listing-price">
          <span class="visually-hidden">{m.card.price}: </span>
          <strong>{egp(card.price)}</strong>
          <span class="listing-per-sqm">{m.card.perSqm(egp(card.price_per_sqm))}</span>
        </p>
        <dl class="listing-facts">
          <div>
            <dt>{m.card.size}</dt>
            <dd>{area(card.size_sqm)}</dd>
          </div>
          <div>
            <dt>{m.card.bedrooms}</dt>
            <dd>{card.bedrooms === null ? m.card.unknown : num(card.bedrooms)}</dd>
          </div>
          {card.bathrooms != null ? (
            <div>
              <dt>{m.card.bathrooms}</dt>
              <dd>{num(card.bathrooms)}</dd>
            </div>
          ) : null}
          <div>
            <dt>{m.card.compound}</dt>
            <dd dir="auto">{card.compound ?? m.card.unknown}</dd>
          </div>
          <div>
            <dt>{m.card.delivery}</dt>
            <dd>{deliveryText(card, m)}</dd>
          </div>
          <div class="listing-plan">
            <dt>{m.card.paymentPlan}</dt>
            <dd>{planText(card, m)}</dd>
          </div>
        </dl>
        <p class={`badge badge-${status}`}>{chainText({ ...card, on_chain_status: status }, m)}</p>
        {card.stale ? <p class="listing-stale">{m.card.stale(date(card.updated_at))}</p> : null}
        <div class="listing-actions">
          <label class="compare-toggle">
            <input
              type="checkbox"
              checked={picked}
              disabled={full}
              onChange={() => toggleSelected(card)}
              aria-describedby={full ? `${titleId}-limit` : undefined}
            />
            {m.card.compare}
            <span class="visually-hidden"> {card.title}</span>
          </label>
          {full ? (
            <span class="field-hint" id={`${titleId}-limit`}>
              {m.card.compareLimit}
            </span>
          ) : null}
          <a class="listing-link" href={`/listings/${encodeURIComponent(card.id)}`}>
            {m.card.details}
            <span class="visually-hidden"> {card.title}</span>
          </a>
        </div>
        <ReserveAction card={card} />
      </div>
    </article>
  );
}
