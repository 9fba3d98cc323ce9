// The listings picked on their cards, side by side in a table (a modal dialog: focus stays in it, Escape closes it).
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import type { Card } from '../../api/types';
import { area, egp, num, t } from '../../i18n';
import { chainText, deliveryText, planText } from './ListingCard';
import { selected, toggleSelected } from './conversation';

function best(cards: Card[], value: (card: Card) => number, lowest: boolean): string | null {
  if (cards.length < 2) return null;
  const sorted = [...cards].sort((a, b) => (lowest ? value(a) - value(b) : value(b) - value(a)));
  const [first, second] = sorted;
  return first && second && value(first) !== value(second) ? first.id : null;
}

export function CompareBar({ onOpen }: { onOpen: () => void }) {
  const m = t.value;
  const count = selected.value.length;
  if (count === 0) return null;
  return (
    <div class="compare-bar" role="region" aria-label={m.compare.title}>
      <p aria-live="polite">{m.compare.bar(count)}</p>
      <button type="button" class="button" onClick={onOpen} disabled={count < 2}>
        {m.compare.open}
      </button>
      <button type="button" class="button button-quiet" onClick={() => (selected.value = [])}>
        {m.compare.clear}
      </button>
    </div>
  );
}

export function CompareDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const m = t.value;
  const dialog = useRef<HTMLDialogElement>(null);
  const cards = selected.value;
  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (open && !element.open) element.showModal();
    if (!open && element.open) element.close();
  }, [open]);
  useEffect(() => {
    if (open && cards.length < 2) onClose();
  }, [open, cards.length]);
  const cheapest = best(cards, (c) => c.price, true);
  const bestValue = best(cards, (c) => c.price_per_sqm, true);
  const largest = best(cards, (c) => c.size_sqm, false);
  const mark = (winner: string | null, card: Card, content: ComponentChildren) => (
    <>
      {content}
      {winner === card.id ? <span class="badge badge-best">{m.compare.best}</span> : null}
    </>
  );
  const rows: Array<[string, (card: Card) => ComponentChildren]> = [
    [m.card.price, (c) => mark(cheapest, c, egp(c.price))],
    [m.card.pricePerSqm, (c) => mark(bestValue, c, egp(c.price_per_sqm))],
    [m.card.size, (c) => mark(largest, c, area(c.size_sqm))],
    [m.card.bedrooms, (c) => (c.bedrooms === null ? m.card.unknown : num(c.bedrooms))],
    [m.card.compound, (c) => c.compound ?? m.card.unknown],
    [m.card.area, (c) => c.location],
    [m.card.developer, (c) => c.developer ?? m.card.unknown],
    [m.card.delivery, (c) => deliveryText(c, m)],
    [m.card.paymentPlan, (c) => planText(c, m)],
    [m.card.chainStatus, (c) => chainText(c, m)],
  ];
  return (
    <dialog ref={dialog} class="compare-dialog" aria-labelledby="compare-title" onClose={onClose}>
      <div class="compare-head">
        <h2 id="compare-title">{m.compare.title}</h2>
        <button type="button" class="button button-quiet" onClick={onClose}>
          {m.compare.close}
        </button>
      </div>
      <div class="table-scroll" tabIndex={0} role="region" aria-label={m.compare.caption}>
        <table class="compare-table">
          <thead>
            <tr>
              <td />
              {cards.map((card) => (
                <th scope="col" key={card.id} dir="auto">
                  {card.title}
                  <button
                    type="button"
                    class="button-icon"
                    onClick={() => toggleSelected(card)}
                    aria-label={m.compare.remove(card.title)}
                  >
                    ×
                  </button>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map(([label, cell]) => (
              <tr key={label}>
                <th scope="row">{label}</th>
                {cards.map((card) => (
                  <td key={card.id}>{cell(card)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </dialog>
  );
}
