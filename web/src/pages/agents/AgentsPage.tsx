// The leads pipeline of agents and administrators: leads grouped by status, each with its temperature, score and
// reasons; filters in the address (temperature, whose, order); a lead moved along the pipeline or taken; the CSV export;
// an agent's duty (whether new HOT leads come to them).
import { useLocation } from 'preact-iso';
import { useEffect, useId, useRef, useState } from 'preact/hooks';
import { ApiError } from '../../api/errors';
import {
  assignLead,
  exportLeads,
  type Lead,
  type LeadFilters,
  listLeads,
  type SalesAgent,
  salesAgents,
  setMyDuty,
  STATUSES,
  type Temperature,
  TEMPERATURES,
} from '../../api/leads';
import { ErrorNotice } from '../../components/ErrorNotice';
import { date, type Messages, num, t } from '../../i18n';
import { role, user } from '../../state/session';
import { leadSummary, valueLabel } from './format';
import { Reasons, Score, StaffNav, StatusForm, TemperatureBadge } from './parts';

function filtersOf(query: Record<string, string>): LeadFilters {
  const temperature = TEMPERATURES.find((value) => value === query.temperature);
  const assigned = query.assigned === 'me' || query.assigned === 'none' ? query.assigned : undefined;
  return { temperature, assigned_to: assigned, sort: query.sort === 'score' ? 'score' : 'newest' };
}

function addressOf(filters: LeadFilters): string {
  const params = new URLSearchParams();
  if (filters.temperature) params.set('temperature', filters.temperature);
  if (filters.assigned_to) params.set('assigned', filters.assigned_to);
  if (filters.sort === 'score') params.set('sort', 'score');
  const text = params.toString();
  return text ? `/agents?${text}` : '/agents';
}

function assignment(lead: Lead, me: string | undefined, m: Messages): string {
  if (!lead.assigned_agent_id) return m.leads.unassigned;
  if (lead.assigned_agent_id === me) return m.leads.assignedToYou;
  return m.leads.assignedToOther(lead.assigned_agent_id.slice(0, 8));
}

interface CardProps {
  lead: Lead;
  onMoved: (lead: Lead) => void;
  onTake: ((lead: Lead) => void) | null;
}

function LeadCard({ lead, onMoved, onTake }: CardProps) {
  const m = t.value;
  const titleId = useId();
  const summary = leadSummary(lead, m);
  return (
    <li class={`lead-card lead-${lead.temperature.toLowerCase()}`} data-lead-id={lead.id}>
      <article aria-labelledby={titleId}>
        <div class="lead-card-head">
          <TemperatureBadge temperature={lead.temperature} />
          <Score score={lead.score} />
        </div>
        <h3 id={titleId}>
          <a href={`/agents/leads/${lead.id}`} id={`lead-${lead.id}`} dir="auto">
            {m.leads.kinds[lead.kind]}
            {summary ? `: ${summary}` : ''}
          </a>
        </h3>
        <p class="lead-meta">
          {m.leads.since(date(lead.created_at))} · {m.leads.messages(lead.turns)} ·{' '}
          {lead.intent ? `${valueLabel(m.leads.intents, lead.intent)} · ` : ''}
          {assignment(lead, user.value?.id, m)}
        </p>
        {lead.last_message ? (
          <blockquote class="lead-quote" dir="auto">
            {lead.last_message}
          </blockquote>
        ) : null}
        <details class="lead-reasons">
          <summary>{m.leads.whyScore}</summary>
          <Reasons reasons={lead.reasons} />
        </details>
        <div class="lead-actions">
          <StatusForm lead={lead} onMoved={onMoved} />
          {onTake ? (
            <button type="button" class="button button-quiet staff-small" onClick={() => onTake(lead)}>
              {m.leads.take}
            </button>
          ) : null}
        </div>
      </article>
    </li>
  );
}

function Duty({ me }: { me: string }) {
  const m = t.value;
  const [duty, setDuty] = useState<SalesAgent | null | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const [working, setWorking] = useState(false);

  useEffect(() => {
    const stop = new AbortController();
    salesAgents(stop.signal)
      .then((roster) => setDuty(roster.find((agent) => agent.agent_id === me) ?? null))
      .catch((failure) => {
        if (!stop.signal.aborted) setError(failure);
      });
    return () => stop.abort();
  }, [me]);

  const onDuty = duty?.on_duty ?? false;
  const toggle = async () => {
    setWorking(true);
    setError(null);
    try {
      setDuty(await setMyDuty(!onDuty));
    } catch (failure) {
      setError(failure);
    } finally {
      setWorking(false);
    }
  };

  if (duty === undefined && !error) return null;
  return (
    <div class="staff-duty">
      <p role="status">{onDuty ? m.leads.onDuty : m.leads.offDuty}</p>
      <button type="button" class="button button-quiet staff-small" onClick={toggle} disabled={working}>
        {onDuty ? m.leads.goOffDuty : m.leads.goOnDuty}
      </button>
      <ErrorNotice error={error} />
    </div>
  );
}

export function AgentsPage() {
  const m = t.value;
  const { query, route } = useLocation();
  const filters = filtersOf(query);
  const key = addressOf(filters);
  const [leads, setLeads] = useState<Lead[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [more, setMore] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [said, setSaid] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [exporting, setExporting] = useState(false);
  const focusNext = useRef<string | null>(null);
  const formId = useId();
  const me = user.value?.id;

  useEffect(() => {
    const stop = new AbortController();
    setLoading(true);
    setError(null);
    listLeads(filters, null, stop.signal)
      .then((page) => {
        setLeads(page.items);
        setCursor(page.next_cursor);
      })
      .catch((failure) => {
        if (!stop.signal.aborted) setError(failure);
      })
      .finally(() => {
        if (!stop.signal.aborted) setLoading(false);
      });
    return () => stop.abort();
  }, [key]);

  // A moved lead changes group: the keyboard follows it to its new place.
  useEffect(() => {
    if (!focusNext.current) return;
    document.getElementById(`lead-${focusNext.current}`)?.focus();
    focusNext.current = null;
  }, [leads]);

  const loadMore = async () => {
    if (!cursor) return;
    setMore(true);
    setError(null);
    try {
      const page = await listLeads(filters, cursor);
      setLeads((shown) => [...shown, ...page.items.filter((lead) => !shown.some((seen) => seen.id === lead.id))]);
      setCursor(page.next_cursor);
    } catch (failure) {
      setError(failure);
    } finally {
      setMore(false);
    }
  };

  const replace = (changed: Lead) => setLeads((shown) => shown.map((lead) => (lead.id === changed.id ? changed : lead)));

  const moved = (changed: Lead) => {
    focusNext.current = changed.id;
    replace(changed);
    setSaid(m.leads.movedTo(m.leads.statuses[changed.status]));
  };

  const take = async (lead: Lead) => {
    if (!me) return;
    setError(null);
    setProblem(null);
    try {
      const taken = await assignLead(lead.id, me);
      focusNext.current = taken.id;
      replace(taken);
      setSaid(m.leads.taken);
    } catch (failure) {
      // 422: the agent is not on the roster yet (never went on duty).
      if (failure instanceof ApiError && failure.status === 422) setProblem(m.leads.takeNeedsDuty);
      else setError(failure);
    }
  };

  const download = async () => {
    setExporting(true);
    setError(null);
    try {
      const blob = await exportLeads(filters);
      const url = URL.createObjectURL(blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = 'leads.csv';
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (failure) {
      setError(failure);
    } finally {
      setExporting(false);
    }
  };

  const change = (name: keyof LeadFilters, value: string) =>
    route(addressOf({ ...filters, [name]: value || undefined }), true);

  const isAgent = role.value === 'agent';
  return (
    <section class="staff" aria-labelledby="leads-title">
      <div class="staff-head">
        <h1 id="leads-title">{m.leads.title}</h1>
        <StaffNav />
      </div>
      {isAgent && me ? <Duty me={me} /> : null}
      <form class="lead-filters" onSubmit={(event) => event.preventDefault()}>
        <div class="field">
          <label for={`${formId}-temperature`}>{m.leads.temperatureFilter}</label>
          <select
            id={`${formId}-temperature`}
            value={filters.temperature ?? ''}
            onChange={(event) => change('temperature', event.currentTarget.value)}
          >
            <option value="">{m.leads.allTemperatures}</option>
            {TEMPERATURES.map((value: Temperature) => (
              <option key={value} value={value}>
                {m.leads.temperatures[value]}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for={`${formId}-assigned`}>{m.leads.assignedFilter}</label>
          <select
            id={`${formId}-assigned`}
            value={filters.assigned_to ?? ''}
            onChange={(event) => change('assigned_to', event.currentTarget.value)}
          >
            <option value="">{isAgent ? m.leads.assignedMineAndOpen : m.leads.assignedAll}</option>
            <option value="me">{m.leads.assignedMe}</option>
            <option value="none">{m.leads.assignedNone}</option>
          </select>
        </div>
        <div class="field">
          <label for={`${formId}-sort`}>{m.leads.sortLabel}</label>
          <select
            id={`${formId}-sort`}
            value={filters.sort ?? 'newest'}
            onChange={(event) => change('sort', event.currentTarget.value === 'score' ? 'score' : '')}
          >
            <option value="newest">{m.leads.sortNewest}</option>
            <option value="score">{m.leads.sortScore}</option>
          </select>
        </div>
        <button type="button" class="button button-quiet" onClick={download} disabled={exporting}>
          {exporting ? m.leads.exporting : m.leads.export}
        </button>
      </form>
      <p class="visually-hidden" role="status">
        {said}
      </p>
      <ErrorNotice error={error} />
      {problem ? (
        <p class="notice notice-error" role="alert">
          {problem}
        </p>
      ) : null}
      {loading ? (
        <p role="status">{m.leads.loading}</p>
      ) : leads.length === 0 && !error ? (
        <p class="staff-empty">{filters.temperature || filters.assigned_to ? m.leads.noneMatch : m.leads.none}</p>
      ) : (
        <div class="pipeline">
          {STATUSES.map((status) => {
            const group = leads.filter((lead) => lead.status === status);
            return (
              <section key={status} class="pipeline-group" aria-labelledby={`group-${status}`}>
                <h2 id={`group-${status}`}>
                  {m.leads.statuses[status]} <span class="staff-count">({num(group.length)})</span>
                </h2>
                {group.length ? (
                  <ul class="lead-list">
                    {group.map((lead) => (
                      <LeadCard
                        key={lead.id}
                        lead={lead}
                        onMoved={moved}
                        onTake={isAgent && !lead.assigned_agent_id ? take : null}
                      />
                    ))}
                  </ul>
                ) : (
                  <p class="staff-empty">{m.leads.noneInStatus}</p>
                )}
              </section>
            );
          })}
        </div>
      )}
      {cursor && !loading ? (
        <p>
          <button type="button" class="button button-quiet" onClick={loadMore} disabled={more}>
            {more ? m.leads.loading : m.leads.loadMore(num(leads.length))}
          </button>
        </p>
      ) : null}
    </section>
  );
}
