// One lead for its agent or an administrator: its score and reasons, its status (with a note for the audit trail),
// what the buyer or seller wants, the contact they agreed to share, the score's history, the audit trail, and the
// conversation with Amr it came from.
import { useRoute } from 'preact-iso';
import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../../api/errors';
import { type ConversationLine, getLead, type Lead, type LeadDetail, type LeadEvent } from '../../api/leads';
import { ErrorNotice } from '../../components/ErrorNotice';
import { egp, type Messages, num, t } from '../../i18n';
import { user } from '../../state/session';
import { budgetOf, cairoDateTime, leadSummary, valueLabel } from './format';
import { Reasons, Score, StaffNav, StatusForm, TemperatureBadge } from './parts';

function who(actor: string, m: Messages): string {
  if (actor === 'amr') return m.leads.actorAmr;
  if (actor === 'buyer') return m.leads.actorBuyer;
  if (actor === user.value?.id) return m.leads.actorYou;
  return m.leads.actorStaff(actor.slice(0, 8));
}

function agentName(id: unknown, m: Messages): string {
  if (typeof id !== 'string' || !id) return m.leads.nobody;
  return id === user.value?.id ? m.leads.actorYou : m.leads.actorStaff(id.slice(0, 8));
}

/** An entry of the audit trail in words. */
function describe(event: LeadEvent, m: Messages): string {
  const data = event.data;
  const status = (value: unknown) =>
    typeof value === 'string' ? valueLabel(m.leads.statuses as Record<string, string>, value) : '';
  switch (event.kind) {
    case 'created':
      return m.leads.eventCreated;
    case 'status':
      return m.leads.eventStatus(status(data.from), status(data.to));
    case 'assigned':
      return data.by === 'round_robin'
        ? m.leads.eventAssignedAuto(agentName(data.agent_id, m))
        : m.leads.eventAssigned(agentName(data.agent_id, m));
    case 'reassigned':
      return m.leads.eventReassigned(agentName(data.to, m));
    case 'notified':
      return m.leads.eventNotified(agentName(data.agent_id, m));
    case 'consent':
      return data.consent ? m.leads.eventConsentYes : m.leads.eventConsentNo;
    case 'merged':
      return m.leads.eventMerged;
    default:
      return event.kind;
  }
}

function Facts({ lead }: { lead: Lead }) {
  const m = t.value;
  const rows: Array<[string, string | null]> = [
    [m.leads.factKind, m.leads.kinds[lead.kind]],
    [m.leads.factIntent, lead.intent ? valueLabel(m.leads.intents, lead.intent) : null],
    [m.leads.factBudget, budgetOf(lead, m)],
    [m.leads.factTypes, lead.types.map((type) => valueLabel(m.leads.propertyTypes, type)).join(m.leads.or) || null],
    [m.leads.factAreas, lead.areas.join(m.leads.or) || null],
    [m.leads.factBedrooms, lead.bedrooms === null ? null : num(lead.bedrooms)],
    [m.leads.factTimeline, lead.timeline ? valueLabel(m.leads.timelines, lead.timeline) : null],
    [m.leads.factFinancing, lead.financing ? valueLabel(m.leads.financings, lead.financing) : null],
    [m.leads.factPurpose, lead.purpose ? valueLabel(m.leads.purposes, lead.purpose) : null],
  ];
  if (lead.kind === 'seller') {
    rows.push(
      [m.leads.factMotivation, lead.motivation ? valueLabel(m.leads.motivations, lead.motivation) : null],
      [m.leads.factCondition, lead.condition ? valueLabel(m.leads.conditions, lead.condition) : null],
      [m.leads.factPrice, lead.price_expectation ? egp(lead.price_expectation) : null],
      [m.leads.factReadiness, lead.readiness_score === null ? null : num(lead.readiness_score)],
      [m.leads.factCommitment, lead.commitment_score === null ? null : num(lead.commitment_score)],
    );
  }
  rows.push(
    [m.leads.factMessages, num(lead.turns)],
    [m.leads.factListings, m.leads.listingsSeen(num(lead.listings_shown.length), num(lead.listings_asked.length))],
    [m.leads.factCreated, cairoDateTime(lead.created_at)],
    [m.leads.factHot, lead.hot_at ? cairoDateTime(lead.hot_at) : null],
    [m.leads.factAssigned, lead.assigned_agent_id ? agentName(lead.assigned_agent_id, m) : m.leads.unassigned],
    [m.leads.factFirstContact, lead.first_contact_at ? cairoDateTime(lead.first_contact_at) : null],
  );
  return (
    <dl class="lead-facts">
      {rows.map(([label, value]) => (
        <div key={label}>
          <dt>{label}</dt>
          <dd dir="auto">{value ?? m.leads.notStated}</dd>
        </div>
      ))}
    </dl>
  );
}

function Contact({ lead }: { lead: Lead }) {
  const m = t.value;
  if (!lead.has_contact) return <p>{m.leads.noContact}</p>;
  if (lead.contact_consent === null) return <p>{m.leads.consentPending}</p>;
  if (!lead.contact_consent) return <p>{m.leads.consentRefused}</p>;
  return (
    <ul class="lead-contact">
      {lead.contact_name ? (
        <li>
          {m.leads.name}: <span dir="auto">{lead.contact_name}</span>
        </li>
      ) : null}
      {lead.contact_phone ? (
        <li>
          {m.leads.phone}:{' '}
          <a href={`tel:${lead.contact_phone}`} dir="ltr">
            {lead.contact_phone}
          </a>
        </li>
      ) : null}
      {lead.contact_email ? (
        <li>
          {m.leads.email}:{' '}
          <a href={`mailto:${lead.contact_email}`} dir="ltr">
            {lead.contact_email}
          </a>
        </li>
      ) : null}
    </ul>
  );
}

function Conversation({ lines }: { lines: ConversationLine[] }) {
  const m = t.value;
  if (lines.length === 0) return <p class="staff-empty">{m.leads.noConversation}</p>;
  const sessions: ConversationLine[][] = [];
  for (const line of lines) {
    const last = sessions[sessions.length - 1];
    if (last && last[0]?.session_id === line.session_id) last.push(line);
    else sessions.push([line]);
  }
  return (
    <div class="lead-conversation">
      {sessions.map((session, index) => (
        <div key={`${session[0]?.session_id}-${index}`}>
          {sessions.length > 1 ? (
            <h3>
              {m.leads.conversationPart(num(index + 1))}
              {session[0]?.created_at ? ` · ${cairoDateTime(session[0].created_at)}` : ''}
            </h3>
          ) : null}
          <ol class="lead-log" aria-label={m.leads.conversationTitle}>
            {session.map((line, at) => (
              <li key={at} class={`lead-line lead-line-${line.role === 'user' ? 'buyer' : 'amr'}`}>
                <p class="lead-line-who">
                  <span>{line.role === 'user' ? m.leads.actorBuyer : m.leads.actorAmr}</span>
                  {line.created_at ? <time dateTime={line.created_at}>{cairoDateTime(line.created_at)}</time> : null}
                </p>
                <p class="lead-line-text" dir="auto">
                  {line.content}
                </p>
              </li>
            ))}
          </ol>
        </div>
      ))}
    </div>
  );
}

export function LeadPage() {
  const m = t.value;
  const { params } = useRoute();
  const id = params.id ?? '';
  const [detail, setDetail] = useState<LeadDetail | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [said, setSaid] = useState('');

  const load = (signal?: AbortSignal) =>
    getLead(id, signal)
      .then((found) => {
        setDetail(found);
        setError(null);
      })
      .catch((failure) => {
        if (!signal?.aborted) setError(failure);
      });

  useEffect(() => {
    const stop = new AbortController();
    setDetail(null);
    setError(null);
    void load(stop.signal);
    return () => stop.abort();
  }, [id]);

  if (error && !detail) {
    const gone = error instanceof ApiError && (error.status === 404 || error.status === 422);
    return (
      <section class="staff" aria-labelledby="lead-title">
        <h1 id="lead-title">{m.leads.detailTitle}</h1>
        {gone ? (
          <p class="notice notice-error" role="alert">
            {m.leads.notFound}
          </p>
        ) : (
          <ErrorNotice error={error} />
        )}
        <p>
          <a href="/agents">{m.leads.backToPipeline}</a>
        </p>
      </section>
    );
  }
  if (!detail) return <p role="status">{m.leads.loadingLead}</p>;

  const lead = detail.lead;
  const summary = leadSummary(lead, m);
  const moved = (changed: Lead) => {
    setDetail({ ...detail, lead: changed });
    setSaid(m.leads.movedTo(m.leads.statuses[changed.status]));
    void load(); // the audit trail gains the change
  };
  return (
    <section class="staff lead-detail" aria-labelledby="lead-title">
      <div class="staff-head">
        <p class="staff-back">
          <a href="/agents">{m.leads.backToPipeline}</a>
        </p>
        <StaffNav />
      </div>
      <h1 id="lead-title" dir="auto">
        {m.leads.kindTitle[lead.kind]}
        {summary ? <span class="lead-title-summary">{summary}</span> : null}
      </h1>
      <div class="lead-card-head">
        <TemperatureBadge temperature={lead.temperature} />
        <Score score={lead.score} />
        <span class="badge">{m.leads.statuses[lead.status]}</span>
      </div>
      <p class="visually-hidden" role="status">
        {said}
      </p>
      <div class="lead-columns">
        <div class="lead-side">
          <section aria-labelledby="why-title" class="staff-panel">
            <h2 id="why-title">{m.leads.whyScore}</h2>
            <Reasons reasons={lead.reasons} />
          </section>
          <section aria-labelledby="status-title" class="staff-panel">
            <h2 id="status-title">{m.leads.statusTitle}</h2>
            <StatusForm key={lead.status} lead={lead} onMoved={moved} withNote />
          </section>
          <section aria-labelledby="contact-title" class="staff-panel">
            <h2 id="contact-title">{m.leads.contactTitle}</h2>
            <Contact lead={lead} />
          </section>
          <section aria-labelledby="facts-title" class="staff-panel">
            <h2 id="facts-title">{m.leads.factsTitle}</h2>
            <Facts lead={lead} />
          </section>
        </div>
        <div class="lead-main">
          <section aria-labelledby="conversation-title" class="staff-panel">
            <h2 id="conversation-title">{m.leads.conversationTitle}</h2>
            <Conversation lines={detail.conversation} />
          </section>
          <section aria-labelledby="history-title" class="staff-panel">
            <h2 id="history-title">{m.leads.scoreHistoryTitle}</h2>
            {detail.score_history.length ? (
              <ol class="lead-timeline">
                {detail.score_history.map((event) => (
                  <li key={event.id}>
                    <time dateTime={event.at}>{cairoDateTime(event.at)}</time>{' '}
                    <span>
                      {m.leads.score(num(Number(event.data.score ?? 0)))} ·{' '}
                      {m.leads.temperatures[(event.data.temperature as Lead['temperature']) ?? 'COLD'] ?? ''}
                    </span>
                  </li>
                ))}
              </ol>
            ) : (
              <p class="staff-empty">{m.leads.noHistory}</p>
            )}
          </section>
          <section aria-labelledby="trail-title" class="staff-panel">
            <h2 id="trail-title">{m.leads.trailTitle}</h2>
            {detail.events.length ? (
              <ol class="lead-timeline">
                {detail.events.map((event) => (
                  <li key={event.id}>
                    <time dateTime={event.at}>{cairoDateTime(event.at)}</time>{' '}
                    <span>
                      {describe(event, m)} — {who(event.actor, m)}
                    </span>
                    {typeof event.data.note === 'string' && event.data.note ? (
                      <span class="trail-note" dir="auto">
                        {event.data.note}
                      </span>
                    ) : null}
                  </li>
                ))}
              </ol>
            ) : (
              <p class="staff-empty">{m.leads.noHistory}</p>
            )}
          </section>
        </div>
      </div>
    </section>
  );
}
