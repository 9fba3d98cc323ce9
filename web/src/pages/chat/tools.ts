// What the agent's tools return, as the chat shows it: listing cards and the widgets (osool_agent/tools/finance.py:
// MortgageResult, RoiResult, Comparison; tools/market.py: ValuationOutcome), the viewing times Amr offered or booked
// (tools/viewings.py) and the reservation he made (tools/reservations.py), read from the turn's stored tool results.
import type { ReservationStatus } from '../../api/reservations';
import type { Card, ListingFacts } from '../../api/types';
import type { ViewingSlot } from '../../api/viewings';

export interface MortgageResult {
  property_price?: number | null;
  loan_amount: number;
  down_payment?: number | null;
  monthly_payment: number;
  total_interest: number;
  total_paid: number;
  total_cost_with_down_payment?: number | null;
  years: number;
  months: number;
  annual_rate_pct: number;
  programme: { id: string; name: string; annual_rate_pct: number; as_of: string; source: string };
  affordability?: {
    monthly_income: number;
    max_payment_for_income: number;
    max_loan_for_income: number;
    max_price_for_income?: number | null;
    payment_to_income_pct: number;
    within_limit: boolean;
    lender_share_pct: number;
    subsidised?: {
      programme: { id: string; name: string; annual_rate_pct: number; as_of: string; source: string };
      max_price: number;
      loan_amount: number;
      down_payment: number;
      monthly_payment: number;
      years: number;
      capped_by_programme: boolean;
      conditions: string;
    } | null;
  } | null;
  assumptions: string[];
  assumptions_ar?: string[];
  warnings: string[];
  as_of: string;
}

export interface RoiResult {
  property_price: number;
  annual_rent: number;
  annual_costs: number;
  annual_costs_pct: number;
  net_annual_income: number;
  gross_yield_pct: number;
  net_yield_pct: number;
  break_even_years?: number | null;
  grade: string;
  price_growth_pct?: number | null;
  total_return_pct?: number | null;
  assumptions: string[];
  assumptions_ar?: string[];
}

export interface UnitComparison {
  id: string;
  title: string;
  price: number;
  price_per_sqm: number;
  size_sqm: number;
  delivery: string;
  plan: string;
  monthly?: number | null;
  true_cost: {
    present_value: number;
    nominal_total: number;
    saving_vs_cash: number;
    /** This unit's own defaults (its delivery month, a typical down payment). */
    assumptions: string[];
    assumptions_ar?: string[];
  };
}

export interface ComparisonResult {
  units: UnitComparison[];
  winners: Record<string, string | null>;
  discount_rate_pct: number;
  as_of: string;
  /** The defaults of the whole comparison (the discount rate, the maintenance deposit). */
  assumptions: string[];
  assumptions_ar?: string[];
}

/** osool_agent.tools.market.ValuationOutcome: an estimate from comparable listings, with its interquartile range. */
export interface ValuationResult {
  location: string;
  property_type: string;
  size_sqm: number;
  estimate: number;
  low: number;
  high: number;
  median_price_per_sqm: number;
  comparables_count: number;
  confidence: 'high' | 'medium' | 'low' | 'none';
  comparables: ListingFacts[];
  method: string;
}

/** Amr's schedule_viewing: the times he offered, the viewing he booked, or the time an anonymous buyer picked. */
export interface ViewingWidget {
  kind: 'viewing';
  listingId: string;
  slots: ViewingSlot[];
  booked: { id: string; starts_at: string; ends_at: string } | null;
  /** The time picked while signed out (the tool answered sign_in_required). */
  signInFor: string | null;
}

/** A reservation made in the conversation, as far as the turn knew it (the live status comes from the API). */
export interface ReservationWidget {
  kind: 'reservation';
  id: string;
  listingId: string;
  title: string;
  status: ReservationStatus;
  depositEgp: number;
  expiresAt: string;
}

export type Widget =
  | { kind: 'mortgage'; result: MortgageResult }
  | { kind: 'valuation'; result: ValuationResult }
  | { kind: 'roi'; result: RoiResult }
  | { kind: 'comparison'; result: ComparisonResult }
  | ViewingWidget
  | ReservationWidget;

/** The tools whose full result is worth a widget (the stream carries only a one-line summary of each; a reservation
 * arrives whole in its own events, so it is not read back after the turn). */
export const WIDGET_TOOLS = new Set([
  'calculate_mortgage',
  'calculate_investment_roi',
  'compare_units',
  'run_valuation',
  'schedule_viewing',
]);

const str = (value: unknown): string | null => (typeof value === 'string' && value ? value : null);

function viewingWidgetFrom(content: Record<string, unknown>, args: Record<string, unknown>): ViewingWidget | null {
  const listingId = str(content.property_id) ?? str(args.property_id);
  if (!listingId) return null;
  const base = { kind: 'viewing' as const, listingId, slots: [], booked: null, signInFor: null };
  if (content.ok === false) {
    const picked = str(args.starts_at);
    return content.error === 'sign_in_required' && picked ? { ...base, signInFor: picked } : null;
  }
  const id = str(content.viewing_id);
  const startsAt = str(content.starts_at);
  const endsAt = str(content.ends_at);
  if (id && startsAt && endsAt) return { ...base, booked: { id, starts_at: startsAt, ends_at: endsAt } };
  const slots = Array.isArray(content.slots) ? (content.slots as ViewingSlot[]) : [];
  return slots.length > 0 ? { ...base, slots } : null;
}

function reservationWidgetFrom(content: Record<string, unknown>): ReservationWidget | null {
  const id = str(content.reservation_id);
  const listingId = str(content.property_id);
  if (!id || !listingId) return null;
  return {
    kind: 'reservation',
    id,
    listingId,
    title: str(content.title) ?? '',
    status: (str(content.status) ?? 'pending') as ReservationStatus,
    depositEgp: typeof content.deposit_egp === 'number' ? content.deposit_egp : 0,
    expiresAt: str(content.expires_at) ?? '',
  };
}

export function widgetFrom(
  name: string,
  content: Record<string, unknown>,
  args: Record<string, unknown> = {},
): Widget | null {
  if (name === 'schedule_viewing') return viewingWidgetFrom(content, args);
  if (name === 'reserve_property') return reservationWidgetFrom(content);
  if (content.ok === false) return null;
  if (name === 'calculate_mortgage' && typeof content.monthly_payment === 'number') {
    return { kind: 'mortgage', result: content as unknown as MortgageResult };
  }
  if (name === 'calculate_investment_roi' && typeof content.net_yield_pct === 'number') {
    return { kind: 'roi', result: content as unknown as RoiResult };
  }
  if (
    name === 'run_valuation' &&
    typeof content.estimate === 'number' &&
    typeof content.low === 'number' &&
    typeof content.high === 'number'
  ) {
    return { kind: 'valuation', result: content as unknown as ValuationResult };
  }
  if (name === 'compare_units' && content.comparison && typeof content.comparison === 'object') {
    return { kind: 'comparison', result: content.comparison as ComparisonResult };
  }
  return null;
}

/** The listings a stored tool result carries (search, get, compare, a valuation's comparables). */
export function listingsOf(content: Record<string, unknown>): ListingFacts[] {
  const many = (content.listings ?? content.comparables) as ListingFacts[] | undefined;
  const one = content.listing as ListingFacts | undefined;
  return [...(Array.isArray(many) ? many : []), ...(one ? [one] : [])];
}

/** A card as the agent builds it (osool_agent.schemas.Card.from_listing), from a stored tool result. */
export function cardFromListing(listing: ListingFacts): Card {
  return {
    id: listing.id,
    source_id: listing.source_id,
    title: listing.title,
    price: listing.price,
    price_per_sqm: listing.price_per_sqm,
    size_sqm: listing.size_sqm,
    bedrooms: listing.bedrooms ?? null,
    bathrooms: listing.bathrooms ?? null,
    type: listing.type,
    location: listing.location,
    compound: listing.compound ?? null,
    developer: listing.developer ?? null,
    location_ar: listing.location_ar ?? null,
    compound_ar: listing.compound_ar ?? null,
    developer_ar: listing.developer_ar ?? null,
    delivery_year: listing.delivery_year ?? null,
    is_delivered: listing.is_delivered ?? false,
    payment_plan: {
      down_payment_pct: listing.down_payment_pct ?? null,
      installment_years: listing.installment_years ?? null,
      monthly_installment: listing.monthly_installment ?? null,
      is_cash_only: listing.is_cash_only ?? false,
    },
    on_chain_status: listing.on_chain_status ?? null,
    updated_at: listing.updated_at,
    stale: listing.stale ?? false,
    image_url: listing.image_url ?? null,
    features: listing.features ?? [],
  };
}
