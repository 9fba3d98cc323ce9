// The operations page's figures in the page's language: US dollars (the AI's meter counts in them), milliseconds,
// durations, clock times. Numbers, money in pounds and percentages come from ../../i18n.
import { lang } from '../../i18n';

const locale = (): string => (lang.value === 'ar' ? 'ar-EG' : 'en-EG');

// Intl formatters are costly to build: one per locale and style.
const numbers = new Map<string, Intl.NumberFormat>();
function numberFormat(key: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const id = `${locale()}|${key}`;
  let format = numbers.get(id);
  if (!format) {
    format = new Intl.NumberFormat(locale(), options);
    numbers.set(id, format);
  }
  return format;
}

const dates = new Map<string, Intl.DateTimeFormat>();
function dateFormat(key: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const id = `${locale()}|${key}`;
  let format = dates.get(id);
  if (!format) {
    format = new Intl.DateTimeFormat(locale(), options);
    dates.set(id, format);
  }
  return format;
}

/** The AI's spend: cents matter, and so do fractions of a cent on a quiet day ("$0.0042"). */
export function usd(value: number): string {
  return numberFormat('usd', {
    style: 'currency',
    currency: 'USD',
    minimumFractionDigits: 2,
    maximumFractionDigits: value !== 0 && Math.abs(value) < 1 ? 4 : 2,
  }).format(value);
}

export function ms(value: number): string {
  const digits = value < 10 ? 1 : 0;
  return numberFormat(`ms-${digits}`, {
    style: 'unit',
    unit: 'millisecond',
    unitDisplay: 'short',
    maximumFractionDigits: digits,
  }).format(value);
}

/** A ratio (0.0123) as a percentage, to two decimals at most. */
export function ratio(value: number): string {
  return numberFormat('ratio', { style: 'percent', maximumFractionDigits: 2 }).format(value);
}

function unit(value: number, name: 'second' | 'minute' | 'hour' | 'day'): string {
  return numberFormat(`unit-${name}`, { style: 'unit', unit: name, unitDisplay: 'short' }).format(value);
}

/** "45 sec", "12 min", "3 hr, 5 min", "2 days, 4 hr": the two largest units that matter. */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  let parts: string[];
  if (s < 60) parts = [unit(s, 'second')];
  else if (s < 3600) parts = [unit(Math.floor(s / 60), 'minute')];
  else if (s < 86400) {
    const minutes = Math.floor((s % 3600) / 60);
    parts = [unit(Math.floor(s / 3600), 'hour'), ...(minutes ? [unit(minutes, 'minute')] : [])];
  } else {
    const hours = Math.floor((s % 86400) / 3600);
    parts = [unit(Math.floor(s / 86400), 'day'), ...(hours ? [unit(hours, 'hour')] : [])];
  }
  return new Intl.ListFormat(locale(), { style: 'narrow', type: 'unit' }).format(parts);
}

/** A clock time to the second: "2:05:09 PM". */
export function clock(value: Date | string): string {
  return dateFormat('clock', { timeStyle: 'medium' }).format(new Date(value));
}

/** A moment: the time alone when it was today, else the date with it. */
export function moment(value: Date | string): string {
  const when = new Date(value);
  const today = new Date().toDateString() === when.toDateString();
  return today
    ? dateFormat('time', { timeStyle: 'short' }).format(when)
    : dateFormat('moment', { dateStyle: 'medium', timeStyle: 'short' }).format(when);
}

/** An axis label of a time chart: hours and minutes, with the day when the window spans days. */
export function axisTime(seconds: number, withDay: boolean): string {
  const options: Intl.DateTimeFormatOptions = withDay
    ? { weekday: 'short', hour: '2-digit', minute: '2-digit' }
    : { hour: '2-digit', minute: '2-digit' };
  return dateFormat(withDay ? 'axis-day' : 'axis', options).format(new Date(seconds * 1000));
}

/** A calendar day of the cost chart ("2026-03-14" as "Sat 14"), in UTC like the agent's meter. */
export function day(isoDate: string): string {
  const format = dateFormat('day', { weekday: 'short', day: 'numeric', timeZone: 'UTC' });
  return format.format(new Date(`${isoDate}T00:00:00Z`));
}

export function seconds(isoOrDate: string | Date): number {
  return new Date(isoOrDate).getTime() / 1000;
}
