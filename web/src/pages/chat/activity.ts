// A tool call in words, from its arguments, while it runs: "Searching New Cairo apartments under EGP 8M…".
import { area, egpShort, type Messages } from '../../i18n';
import type { ToolActivity } from './conversation';

const text = (value: unknown): string | null => (typeof value === 'string' && value.trim() ? value.trim() : null);
const number = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);

function searchWords(args: Record<string, unknown>, m: Messages): string {
  const a = m.activity;
  const type = text(args.property_type);
  const what = type ? (m.types[type] ?? type) : a.listingsWord;
  const parts = [a.subject(what, text(args.location))];
  const compound = text(args.compound);
  if (compound) parts.push(a.inCompound(compound));
  const bedrooms = number(args.bedrooms);
  if (bedrooms !== null) parts.push(a.bedrooms(bedrooms));
  const low = number(args.min_price);
  const high = number(args.max_price);
  if (low !== null && high !== null) parts.push(a.between(egpShort(low), egpShort(high)));
  else if (high !== null) parts.push(a.under(egpShort(high)));
  else if (low !== null) parts.push(a.over(egpShort(low)));
  const size = number(args.min_size_sqm);
  if (size !== null) parts.push(a.sizeAtLeast(area(size)));
  return a.searching(parts.join(' '));
}

export function describeTool(tool: ToolActivity, m: Messages): string {
  const a = m.activity;
  const args = tool.args;
  switch (tool.name) {
    case 'search_properties':
      return searchWords(args, m);
    case 'get_property':
      return a.gettingListing;
    case 'compare_units':
      return a.comparing(Array.isArray(args.property_ids) ? args.property_ids.length : 2);
    case 'calculate_mortgage': {
      const price = number(args.property_price) ?? number(args.loan_amount);
      return a.mortgage(price === null ? null : egpShort(price), number(args.years));
    }
    case 'calculate_investment_roi': {
      const price = number(args.property_price);
      return a.roi(price === null ? null : egpShort(price));
    }
    case 'run_valuation':
      return a.valuation;
    case 'check_market_trends':
      return a.trends(text(args.location) ?? text(args.area));
    case 'check_availability':
      return a.availability;
    case 'reserve_property':
      return a.reserving;
    case 'schedule_viewing':
      return text(args.starts_at) ? a.bookingViewing : a.viewingSlots;
    case 'save_search':
      return a.savingSearch;
    case 'my_viewings':
      return a.myViewings;
    case 'my_alerts':
      return a.myAlerts;
    case 'qualify_lead':
      return a.qualifying;
    case 'audit_contract':
      return a.contract;
    default:
      return a.other(tool.name);
  }
}
