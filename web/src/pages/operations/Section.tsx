// What every section of the operations page shares: its data as last read, the error of the last reading, and how
// a section says it is loading or could not be read again.
import type { ComponentChildren } from 'preact';
import { ErrorNotice } from '../../components/ErrorNotice';
import { t } from '../../i18n';

/** A section's data as last read (kept when a later reading fails), and that reading's error. */
export interface Loaded<T> {
  data: T | null;
  error: unknown;
  /** A reading has ended (so no data means there is none, or it failed). */
  done: boolean;
}

export function loaded<T>(): Loaded<T> {
  return { data: null, error: null, done: false };
}

/** Loading, the error (over the figures from before when there are some), or nothing when all is well. */
export function SectionState({ part }: { part: Loaded<unknown> }) {
  const m = t.value.operations;
  if (!part.done) return <p class="ops-loading">{m.loading}</p>;
  if (!part.error) return null;
  return (
    <>
      <ErrorNotice error={part.error} />
      {part.data ? <p class="ops-stale">{m.staleData}</p> : null}
    </>
  );
}

export function OpsSection({ id, title, children }: { id: string; title: string; children: ComponentChildren }) {
  return (
    <section class="ops-section" aria-labelledby={`${id}-title`} id={id}>
      <h2 id={`${id}-title`}>{title}</h2>
      {children}
    </section>
  );
}

/** A table that may scroll sideways (or down): a region a keyboard can focus and scroll, named for its table. */
export function TableScroll(props: { label: string; tall?: boolean; children: ComponentChildren }) {
  const { label, tall = false, children } = props;
  return (
    <div
      class={`table-scroll ops-table-scroll${tall ? ' ops-table-tall' : ''}`}
      tabIndex={0}
      role="region"
      aria-label={label}
    >
      {children}
    </div>
  );
}
