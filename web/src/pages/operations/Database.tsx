// The operations page's database: when the hourly report last ran, the cache-hit ratio, the findings by kind and the
// latest recommendations with the statement to run (CREATE INDEX CONCURRENTLY ..., VACUUM ...).
import type { DatabaseStatus } from '../../api/monitoring';
import { num, t } from '../../i18n';
import { duration, moment, ms, ratio } from './format';
import { type Loaded, OpsSection, SectionState } from './Section';

export function DatabaseSection({ database }: { database: Loaded<DatabaseStatus> }) {
  const m = t.value.operations;
  const status = database.data;
  const kinds = Object.entries(status?.by_kind ?? {}).sort((a, b) => b[1] - a[1]);
  return (
    <OpsSection id="ops-database" title={m.databaseTitle}>
      <SectionState part={database} />
      {status && !status.last_run_at ? <p class="ops-empty">{m.noDatabaseReport}</p> : null}
      {status?.last_run_at ? (
        <>
          <p>
            {m.databaseRun(moment(status.last_run_at), ms(status.duration_ms ?? 0))}{' '}
            {status.next_run_in_seconds !== null ? m.databaseNext(duration(status.next_run_in_seconds)) : ''}
          </p>
          <dl class="ops-figures">
            {typeof status.cache_hit_ratio === 'number' ? (
              <div>
                <dt>{m.cacheHit}</dt>
                <dd>{ratio(status.cache_hit_ratio)}</dd>
              </div>
            ) : null}
            {status.pg_stat_statements ? (
              <div>
                <dt>{m.statements}</dt>
                <dd>
                  <bdi lang="en" class="ops-code">
                    pg_stat_statements: {status.pg_stat_statements}
                  </bdi>
                </dd>
              </div>
            ) : null}
            <div>
              <dt>{m.findings}</dt>
              <dd>{num(status.findings)}</dd>
            </div>
          </dl>
          {kinds.length > 0 ? (
            <ul class="ops-chips" aria-label={m.findings}>
              {kinds.map(([kind, count]) => (
                <li key={kind}>
                  {m.kinds[kind] ?? kind}: {num(count)}
                </li>
              ))}
            </ul>
          ) : null}
          {status.top.length === 0 ? <p class="ops-empty">{m.noFindings}</p> : null}
          {status.top.length > 0 ? (
            <>
              <h3>{m.topFindings}</h3>
              <ol class="ops-findings">
                {status.top.map((finding) => (
                  <li key={`${finding.kind} ${finding.object}`} data-kind={finding.kind}>
                    <p class="ops-alert-head">
                      <span class={`ops-severity ops-severity-${finding.severity}`}>
                        {m.severity[finding.severity] ?? finding.severity}
                      </span>{' '}
                      <strong>{m.kinds[finding.kind] ?? finding.kind}</strong>{' '}
                      <bdi lang="en" class="ops-code">
                        {finding.object}
                      </bdi>
                    </p>
                    <p lang="en" dir="ltr" class="ops-recommendation">
                      {finding.recommendation}
                    </p>
                  </li>
                ))}
              </ol>
            </>
          ) : null}
        </>
      ) : null}
    </OpsSection>
  );
}
