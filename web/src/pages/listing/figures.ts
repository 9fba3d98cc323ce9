// The small arithmetic and naming the listing and search pages share: a median, how far a price is from another, and
// a property type in the page's language.
import { percent, type Messages } from '../../i18n';

export const typeName = (type: string, m: Messages): string => m.listingFields.types[type] ?? type;

export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** How far a value is from a reference, in whole percent: "12%" above or below; null within 1% (in line with it). */
export function gap(value: number, reference: number): { pct: string; above: boolean } | null {
  const ratio = value / reference - 1;
  if (Math.abs(ratio) < 0.01) return null;
  return { pct: percent(Math.round(Math.abs(ratio) * 100)), above: ratio > 0 };
}
