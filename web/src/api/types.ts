// The shapes the services answer with, as the client reads them (their OpenAPI documents are the contract).

export type Role = 'user' | 'agent' | 'admin';

/** auth: GET /api/auth/me, and the `user` of every sign-in. */
export interface User {
  id: string;
  email: string | null;
  email_verified: boolean;
  phone: string | null;
  phone_verified: boolean;
  wallet_address: string | null;
  google_linked: boolean;
  display_name: string | null;
  role: Role;
  created_at: string;
}

/** auth: every way of signing in answers with this pair; the refresh token rotates on every use. */
export interface TokenPair {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_token: string;
  user: User;
}

export interface PaymentPlan {
  down_payment_pct: number | null;
  /** EGP paid up front (absent from cards saved before it existed). */
  down_payment?: number | null;
  installment_years: number | null;
  monthly_installment: number | null;
  is_cash_only: boolean;
}

/** agent: a listing card, built from a tool result (osool_agent.schemas.Card). */
export interface Card {
  id: string;
  source_id: string;
  title: string;
  price: number;
  price_per_sqm: number;
  size_sqm: number;
  bedrooms: number | null;
  bathrooms?: number | null;
  type: string;
  location: string;
  compound: string | null;
  developer: string | null;
  location_ar?: string | null;
  compound_ar?: string | null;
  developer_ar?: string | null;
  delivery_year: number | null;
  is_delivered: boolean;
  payment_plan: PaymentPlan;
  on_chain_status: string | null;
  updated_at: string;
  stale: boolean;
  image_url: string | null;
  features: string[];
}

/** agent: a listing as a tool result carries it (osool_agent.tools.context.ListingFacts; empty fields left out). */
export interface ListingFacts {
  id: string;
  source_id: string;
  title: string;
  type: string;
  location: string;
  compound?: string | null;
  developer?: string | null;
  location_ar?: string | null;
  compound_ar?: string | null;
  developer_ar?: string | null;
  bathrooms?: number | null;
  price: number;
  price_per_sqm: number;
  size_sqm: number;
  bedrooms?: number | null;
  delivery_year?: number | null;
  is_delivered?: boolean;
  down_payment_pct?: number | null;
  installment_years?: number | null;
  monthly_installment?: number | null;
  is_cash_only?: boolean;
  updated_at: string;
  stale?: boolean;
  on_chain_status?: string | null;
  image_url?: string | null;
  features?: string[];
}

/** The events of a streamed turn (POST /api/chat, Accept: text/event-stream), by name. */
export interface ChatEvents {
  session: { session_id: string; session_secret?: string };
  token: { text: string };
  tool_call: { id?: string; name: string; arguments: Record<string, unknown> };
  tool_result: { id?: string; name: string; ok: boolean; summary: string };
  reservation: {
    reservation_id: string;
    property_id: string;
    status: string;
    deposit_egp: number;
    expires_at: string;
  };
  listings: { listings: Card[] };
  done: { brain: string; model: string; fallback: string | null; replayed?: boolean; latency_ms?: number };
  error: { status: number; error: { code: string; message: string } };
}

/** chat-history: one stored message (GET /api/history/sessions/{id}/messages). */
export interface HistoryMessage {
  role: 'user' | 'assistant' | 'tool';
  content: string;
  property_ids: string[] | null;
  tool_calls: Array<Record<string, unknown>> | null;
  created_at: string;
}

export interface HistoryPage {
  messages: HistoryMessage[];
  next_cursor: string | null;
}
