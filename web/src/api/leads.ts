// The agent service's staff side: leads (list, detail, status, assignment, export), the duty roster, the viewings
// calendar (osool_agent.schemas and osool_agent.viewings.schemas are the contract).
import { api, request } from './client';

export const TEMPERATURES = ['HOT', 'WARM', 'COLD'] as const;
export type Temperature = (typeof TEMPERATURES)[number];
export const STATUSES = ['new', 'contacted', 'viewing', 'negotiating', 'won', 'lost'] as const;
export type LeadStatus = (typeof STATUSES)[number];

export interface ScoreReason {
  factor: string;
  points: number;
  /** The scorer's words, in English ("budget stated: up to 8,000,000 EGP"). */
  why: string;
}

export interface Lead {
  id: string;
  kind: 'buyer' | 'seller';
  intent: string | null;
  user_id: string | null;
  session_ids: string[];
  budget_min: number | null;
  budget_max: number | null;
  areas: string[];
  types: string[];
  bedrooms: number | null;
  timeline: string | null;
  financing: string | null;
  purpose: string | null;
  motivation: string | null;
  condition: string | null;
  price_expectation: number | null;
  readiness_score: number | null;
  commitment_score: number | null;
  score: number;
  temperature: Temperature;
  reasons: ScoreReason[];
  contact_consent: boolean | null;
  contact_name?: string | null;
  contact_phone: string | null;
  contact_email: string | null;
  has_contact: boolean;
  listings_shown: string[];
  listings_asked: string[];
  turns: number;
  status: LeadStatus;
  assigned_agent_id: string | null;
  assigned_at: string | null;
  hot_at: string | null;
  notified_at: string | null;
  first_contact_at: string | null;
  seconds_to_first_contact: number | null;
  last_message: string | null;
  created_at: string;
  updated_at: string;
}

export interface LeadPage {
  items: Lead[];
  next_cursor: string | null;
}

export interface LeadEvent {
  id: number;
  /** created, score, status, assigned, reassigned, notified, consent, merged */
  kind: string;
  /** "amr", "buyer", or the id of the person who acted */
  actor: string;
  data: Record<string, unknown>;
  at: string;
}

export interface ConversationLine {
  session_id: string;
  role: 'user' | 'assistant';
  content: string;
  created_at: string | null;
}

export interface LeadDetail {
  lead: Lead;
  score_history: LeadEvent[];
  events: LeadEvent[];
  conversation: ConversationLine[];
}

export interface SalesAgent {
  agent_id: string;
  on_duty: boolean;
  last_assigned_at: string | null;
  open_leads: number;
}

export interface LeadFilters {
  temperature?: Temperature | undefined;
  /** me, none, or (administrators) an agent's id; absent: every lead the caller may see */
  assigned_to?: string | undefined;
  sort?: 'newest' | 'score' | undefined;
}

function query(values: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) if (value !== undefined && value !== '') params.set(key, String(value));
  const text = params.toString();
  return text ? `?${text}` : '';
}

export function listLeads(filters: LeadFilters, cursor: string | null, signal?: AbortSignal): Promise<LeadPage> {
  return api<LeadPage>(`/api/leads${query({ ...filters, limit: 100, cursor: cursor ?? undefined })}`, { signal });
}

/** The leads the filters select as CSV (contact details only where the buyer agreed), for a download. */
export async function exportLeads(filters: LeadFilters): Promise<Blob> {
  return (await request(`/api/leads/export.csv${query({ ...filters })}`, { headers: { Accept: 'text/csv' } })).blob();
}

export function getLead(id: string, signal?: AbortSignal): Promise<LeadDetail> {
  return api<LeadDetail>(`/api/leads/${encodeURIComponent(id)}`, { signal });
}

export function setLeadStatus(id: string, status: LeadStatus, note?: string): Promise<Lead> {
  return api<Lead>(`/api/leads/${encodeURIComponent(id)}/status`, {
    method: 'PUT',
    body: note ? { status, note } : { status },
  });
}

export function assignLead(id: string, agentId: string): Promise<Lead> {
  return api<Lead>(`/api/leads/${encodeURIComponent(id)}/assignment`, { method: 'PUT', body: { agent_id: agentId } });
}

export function salesAgents(signal?: AbortSignal): Promise<SalesAgent[]> {
  return api<SalesAgent[]>('/api/leads/agents', { signal });
}

export function setMyDuty(onDuty: boolean): Promise<SalesAgent> {
  return api<SalesAgent>('/api/leads/agents/me/duty', { method: 'PUT', body: { on_duty: onDuty } });
}

export interface Viewing {
  id: string;
  listing_id: string;
  agent_id: string;
  user_id: string;
  lead_id: string | null;
  starts_at: string;
  ends_at: string;
  status: 'booked' | 'cancelled' | 'done';
  sequence: number;
  created_at: string;
  cancelled_at: string | null;
  rescheduled_at: string | null;
  reminded_at: string | null;
}

/** Viewings from the first to the last day (Cairo days, inclusive, YYYY-MM-DD): an agent's own, an admin's all. */
export function listViewings(from: string, to: string, signal?: AbortSignal): Promise<Viewing[]> {
  return api<Viewing[]>(`/api/viewings${query({ from, to })}`, { signal });
}
