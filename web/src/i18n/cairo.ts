// Dates and times on Cairo's wall clock (Africa/Cairo, with Egypt's summer time), written for the page's language:
// viewing slots, bookings, reservation holds and conversation times are said where the property is, whatever the
// browser's own time zone.
import { lang } from './index';

const ZONE = 'Africa/Cairo';
const cache = new Map<string, Intl.DateTimeFormat>();

function format(key: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const locale = lang.value === 'ar' ? 'ar-EG' : 'en-EG';
  const id = `${locale}|${key}`;
  let found = cache.get(id);
  if (!found) {
    found = new Intl.DateTimeFormat(locale, { timeZone: ZONE, ...options });
    cache.set(id, found);
  }
  return found;
}

const when = (value: string | Date) => (typeof value === 'string' ? new Date(value) : value);

/** "Tuesday, 2 June" / "الثلاثاء، ٢ يونيو". */
export function cairoDay(value: string | Date): string {
  return format('day', { weekday: 'long', day: 'numeric', month: 'long' }).format(when(value));
}

// The 24-hour clock, as Amr writes the times he offers ("Tuesday 2 June at 16:00"): the buttons say what he said.
const CLOCK: Intl.DateTimeFormatOptions = { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' };

/** "16:00" / "١٦:٠٠". */
export function cairoTime(value: string | Date): string {
  return format('time', CLOCK).format(when(value));
}

/** "Tuesday, 2 June 2026 at 16:00" / the same in Arabic: a moment with its date. */
export function cairoDateTime(value: string | Date): string {
  const options: Intl.DateTimeFormatOptions = { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' };
  return format('datetime', { ...options, ...CLOCK }).format(when(value));
}

/** The Cairo calendar day of an instant, YYYY-MM-DD (to group slots by day). */
export function cairoDate(value: string | Date): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: ZONE, year: 'numeric', month: '2-digit', day: '2-digit' });
  return parts.format(when(value));
}
