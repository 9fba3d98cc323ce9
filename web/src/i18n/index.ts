// The language of the page (English or Arabic), its strings, its direction, and numbers and money formatted for it.
import { computed, effect, signal } from '@preact/signals';
import { ar } from './ar';
import { en, type Messages } from './en';

export type Lang = 'en' | 'ar';
export type { Messages };

const STORAGE_KEY = 'osool.lang';

function initialLang(): Lang {
  const stored = safeStorage()?.getItem(STORAGE_KEY);
  if (stored === 'en' || stored === 'ar') return stored;
  return navigator.language.toLowerCase().startsWith('ar') ? 'ar' : 'en';
}

function safeStorage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null; // storage refused (privacy settings): the choice lasts for the page only
  }
}

export const lang = signal<Lang>(initialLang());
/** The strings of the current language: read `t.value` in a component and it renders again on a switch. */
export const t = computed<Messages>(() => (lang.value === 'ar' ? ar : en));

export function setLang(next: Lang): void {
  lang.value = next;
  safeStorage()?.setItem(STORAGE_KEY, next);
}

// The whole document follows the language: <html lang dir>, so the CSS (logical properties only) mirrors itself.
effect(() => {
  const root = document.documentElement;
  root.lang = lang.value;
  root.dir = lang.value === 'ar' ? 'rtl' : 'ltr';
});

const locale = (): string => (lang.value === 'ar' ? 'ar-EG' : 'en-EG');

// Intl formatters are costly to build: one per locale and style.
const cache = new Map<string, Intl.NumberFormat>();
function numberFormat(key: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const id = `${locale()}|${key}`;
  let format = cache.get(id);
  if (!format) {
    format = new Intl.NumberFormat(locale(), options);
    cache.set(id, format);
  }
  return format;
}

/** An amount in Egyptian pounds, whole pounds: "EGP 7,500,000" / "‏٧٬٥٠٠٬٠٠٠ ج.م.‏". */
export function egp(value: number): string {
  return numberFormat('egp', { style: 'currency', currency: 'EGP', maximumFractionDigits: 0 }).format(value);
}

/** A large amount in short form for running text: "EGP 8M" / "٨ مليون ج.م.‏". */
export function egpShort(value: number): string {
  return numberFormat('egp-short', {
    style: 'currency',
    currency: 'EGP',
    notation: 'compact',
    maximumFractionDigits: 1,
  }).format(value);
}

export function num(value: number, maximumFractionDigits = 0): string {
  return numberFormat(`num-${maximumFractionDigits}`, { maximumFractionDigits }).format(value);
}

/** A value already in percent (12.5 is 12.5%). */
export function percent(value: number): string {
  return numberFormat('pct', { style: 'percent', maximumFractionDigits: 2 }).format(value / 100);
}

export function area(value: number): string {
  return `${num(value, 1)} ${lang.value === 'ar' ? 'م²' : 'm²'}`;
}

export function date(value: string | Date): string {
  const when = typeof value === 'string' ? new Date(value) : value;
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium' }).format(when);
}

/** A moment with its time of day: "1 Dec 2026, 10:53" / "١ ديسمبر ٢٠٢٦، ١٠:٥٣ ص". */
export function dateTime(value: string | Date): string {
  const when = typeof value === 'string' ? new Date(value) : value;
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'short' }).format(when);
}

/** A place, compound or developer in the page's language: in Arabic the name search's gazetteer gives it, else (and
 * for a place it does not know) as the listing writes it. */
export function placeName(name: string, arabic?: string | null): string {
  return lang.value === 'ar' && arabic ? arabic : name;
}

/** Where a listing is, compound then place, each in the page's language. */
export function placesOf(listing: Placed): string[] {
  const places = [placeName(listing.location, listing.location_ar)];
  if (listing.compound) places.unshift(placeName(listing.compound, listing.compound_ar));
  return places;
}

/** The names a listing's place is given by (search's Property, the agent's Card, a viewed listing). */
export interface Placed {
  location: string;
  compound?: string | null;
  location_ar?: string | null;
  compound_ar?: string | null;
}

/** A year written in the language's digits, without a thousands separator. */
export function year(value: number): string {
  return numberFormat('year', { useGrouping: false }).format(value);
}
