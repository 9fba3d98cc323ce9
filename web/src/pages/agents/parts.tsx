// What the agents' pages share: their own navigation, a lead's temperature and score, its reasons, and the form that
// moves it along the pipeline.
import { useLocation } from 'preact-iso';
import { useId, useState } from 'preact/hooks';
import { type Lead, type LeadStatus, type ScoreReason, setLeadStatus, STATUSES, type Temperature } from '../../api/leads';
import { ErrorNotice } from '../../components/ErrorNotice';
import { num, t } from '../../i18n';
import { points, valueLabel } from './format';

export function StaffNav() {
  const m = t.value;
  const { path } = useLocation();
  const links = [
    { href: '/agents', label: m.leads.pipelineTab },
    { href: '/agents/viewings', label: m.leads.viewingsTab },
  ];
  return (
    <nav class="staff-nav" aria-label={m.leads.staffNavLabel}>
      <ul>
        {links.map((link) => (
          <li key={link.href}>
            <a href={link.href} aria-current={path === link.href ? 'page' : undefined}>
              {link.label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

export function TemperatureBadge({ temperature }: { temperature: Temperature }) {
  const m = t.value;
  return <span class={`badge lead-temp lead-temp-${temperature.toLowerCase()}`}>{m.leads.temperatures[temperature]}</span>;
}

/** The score in figures and as a meter (no style attribute: the CSP forbids them, a <meter> needs none). */
export function Score({ score }: { score: number }) {
  const m = t.value;
  return (
    <span class="lead-score">
      <span class="lead-score-figure">{m.leads.score(num(score))}</span>
      <meter min={0} max={100} low={25} high={50} optimum={100} value={score} aria-hidden="true" />
    </span>
  );
}

export function Reasons({ reasons }: { reasons: ScoreReason[] }) {
  const m = t.value;
  if (reasons.length === 0) return null;
  return (
    <ul class="reason-list">
      {reasons.map((reason, index) => (
        <li key={`${reason.factor}-${index}`} class={reason.points > 0 ? 'lead-reason lead-reason-counts' : 'lead-reason'}>
          <span class="lead-reason-factor">{valueLabel(m.leads.factors, reason.factor)}</span>{' '}
          <span class="lead-reason-points">
            {/* "+25" reads the same way in both languages. */}
            <bdi dir="ltr">{points(reason.points)}</bdi> {m.leads.pointsUnit}
          </span>{' '}
          {/* The scorer writes its reasons in English. */}
          <span class="lead-reason-why" lang="en" dir="ltr">
            {reason.why}
          </span>
        </li>
      ))}
    </ul>
  );
}

interface StatusFormProps {
  lead: Lead;
  onMoved: (lead: Lead) => void;
  /** The detail page also takes a note for the audit trail. */
  withNote?: boolean;
}

export function StatusForm({ lead, onMoved, withNote = false }: StatusFormProps) {
  const m = t.value;
  const id = useId();
  const [status, setStatus] = useState<LeadStatus>(lead.status);
  const [note, setNote] = useState('');
  const [working, setWorking] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const submit = async (event: Event) => {
    event.preventDefault();
    if (status === lead.status) return;
    setWorking(true);
    setError(null);
    try {
      const moved = await setLeadStatus(lead.id, status, note.trim() || undefined);
      setNote('');
      onMoved(moved);
    } catch (failure) {
      setError(failure);
    } finally {
      setWorking(false);
    }
  };

  return (
    <form class="status-form" onSubmit={submit}>
      <div class="status-form-row">
        <label for={`${id}-status`}>{m.leads.statusLabel}</label>
        <select
          id={`${id}-status`}
          value={status}
          onChange={(event) => setStatus(event.currentTarget.value as LeadStatus)}
        >
          {STATUSES.map((value) => (
            <option key={value} value={value}>
              {m.leads.statuses[value]}
            </option>
          ))}
        </select>
        {withNote ? null : (
          <button type="submit" class="button staff-small" disabled={working || status === lead.status}>
            {working ? m.leads.moving : m.leads.move}
          </button>
        )}
      </div>
      {withNote ? (
        <>
          <div class="field">
            <label for={`${id}-note`}>{m.leads.noteLabel}</label>
            <textarea
              id={`${id}-note`}
              rows={2}
              maxLength={1000}
              value={note}
              dir="auto"
              onInput={(event) => setNote(event.currentTarget.value)}
            />
          </div>
          <p>
            <button type="submit" class="button" disabled={working || status === lead.status}>
              {working ? m.leads.moving : m.leads.saveStatus}
            </button>
          </p>
        </>
      ) : null}
      <ErrorNotice error={error} />
    </form>
  );
}
