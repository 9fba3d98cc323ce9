// How the agents' pages say things: a lead in one line, its values in the page's language, times on Cairo's clock,
// and the plain-day arithmetic of the week calendar.
import type { Lead } from '../../api/leads';
import { egpShort, lang, type Messages, num } from '../../i18n';

/** Every time on these pages is Cairo's: the agents, the buyers and the viewings are in Egypt. */
export const CAIRO = 'Africa/Cairo';

const formats = new Map<string, Intl.DateTimeFormat>();
function dateFormat(key: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const locale = lang.value === 'ar' ? 'ar-EG' : 'en-EG';
  const id = `${locale}|${key}`;
  let format = formats.get(id);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, options);
    formats.set(id, format);
  }
  return format;
}

/** "6 Jun 2026, 11:00" on Cairo's clock. */
export function cairoDateTime(value: string): string {
  return dateFormat('datetime', { dateStyle: 'medium', timeStyle: 'short', timeZone: CAIRO }).format(new Date(value));
}

/** "11:00" on Cairo's clock. */
export function cairoTime(value: string): string {
  return dateFormat('time', { hour: 'numeric', minute: '2-digit', timeZone: CAIRO }).format(new Date(value));
}

/** "11:00 – 12:00" on Cairo's clock. */
export function cairoTimeRange(start: string, end: string): string {
  return dateFormat('time', { hour: 'numeric', minute: '2-digit', timeZone: CAIRO }).formatRange(
    new Date(start),
    new Date(end),
  );
}

// Plain days (YYYY-MM-DD) are computed as UTC midnights, so no local clock or summer time moves them.
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isDay(value: string | undefined): value is string {
  const match = value ? DAY.exec(value) : null;
  if (!match) return false;
  const when = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return when.toISOString().slice(0, 10) === value;
}

function utc(day: string): Date {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d));
}

export function addDays(day: string, days: number): string {
  const when = utc(day);
  when.setUTCDate(when.getUTCDate() + days);
  return when.toISOString().slice(0, 10);
}

/** The Cairo day of an instant, YYYY-MM-DD. */
export function cairoDay(value: string | Date): string {
  // en-CA writes dates as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', { timeZone: CAIRO }).format(typeof value === 'string' ? new Date(value) : value);
}

/** The Saturday on or before a day: Egypt's week runs Saturday to Friday. */
export function weekStart(day: string): string {
  return addDays(day, -((utc(day).getUTCDay() + 1) % 7));
}

/** "Saturday 6 June" of a plain day. */
export function dayHeading(day: string): string {
  return dateFormat('day', { weekday: 'long', day: 'numeric', month: 'long', timeZone: 'UTC' }).format(utc(day));
}

/** "6 – 12 June 2026" of a week's first and last days. */
export function weekHeading(first: string, last: string): string {
  return dateFormat('range', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).formatRange(
    utc(first),
    utc(last),
  );
}

/** A value the service gives as a code ("within_3_months"), in words; an unknown code as written, underscores gone. */
export function valueLabel(labels: Record<string, string>, value: string): string {
  return labels[value] ?? value.replace(/_/g, ' ');
}

export function budgetOf(lead: Lead, m: Messages): string | null {
  const low = lead.budget_min;
  const high = lead.budget_max;
  if (low && high) return m.leads.budgetBetween(egpShort(low), egpShort(high));
  if (high) return m.leads.budgetUpTo(egpShort(high));
  if (low) return m.leads.budgetFrom(egpShort(low));
  return null;
}

/** What the lead wants in one line: "Apartment · 3 bedrooms · New Cairo · up to EGP 8M". */
export function leadSummary(lead: Lead, m: Messages): string {
  const parts: string[] = [];
  if (lead.types.length) parts.push(lead.types.map((type) => valueLabel(m.leads.propertyTypes, type)).join(m.leads.or));
  if (lead.bedrooms !== null) parts.push(m.leads.bedrooms(lead.bedrooms));
  if (lead.areas.length) parts.push(lead.areas.join(m.leads.or));
  if (lead.kind === 'seller' && lead.price_expectation) parts.push(m.leads.asks(egpShort(lead.price_expectation)));
  else {
    const budget = budgetOf(lead, m);
    if (budget) parts.push(budget);
  }
  return parts.join(' · ');
}

/** "+25" / "+7.5" points. */
export function points(value: number): string {
  return value > 0 ? `+${num(value, 1)}` : num(value, 1);
}
