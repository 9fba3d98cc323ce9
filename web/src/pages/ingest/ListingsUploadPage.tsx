// An administrator uploads a JSON or CSV export of listings: the upload's progress, then the wait while the search
// service checks and saves every record (the route answers when it is done: no job to poll), then its report —
// inserted, updated, unchanged, and every rejected record with its row and reason.
import { useEffect, useId, useRef, useState } from 'preact/hooks';
import { ApiError } from '../../api/errors';
import { type ExportFormat, exportFormat, type IngestReport, ingestExport, MAX_UPLOAD_BYTES } from '../../api/search';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Field } from '../../components/Field';
import { num, percent, t } from '../../i18n';

type Phase = 'idle' | 'sending' | 'processing' | 'done';

function megabytes(bytes: number): string {
  return num(bytes / (1024 * 1024), 2);
}

function size(bytes: number): string {
  const m = t.value;
  return bytes < 1024 * 1024 ? m.ingest.kilobytes(num(Math.max(0.1, bytes / 1024), 1)) : m.ingest.megabytes(megabytes(bytes));
}

function Report({ report, format }: { report: IngestReport; format: ExportFormat }) {
  const m = t.value;
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), [report.run_id]);
  const figures: Array<[string, number, string]> = [
    [m.ingest.read, report.read, 'read'],
    [m.ingest.inserted, report.inserted, 'inserted'],
    [m.ingest.updated, report.updated, 'updated'],
    [m.ingest.unchanged, report.unchanged, 'unchanged'],
    [m.ingest.rejected, report.rejected, 'rejected'],
  ];
  return (
    <section class="ingest-report" aria-labelledby="report-title">
      <h2 id="report-title" ref={heading} tabIndex={-1}>
        {m.ingest.reportTitle}
      </h2>
      <p class={report.rejected ? 'notice' : 'notice notice-success'}>
        {m.ingest.outcome(
          report.read,
          num(report.read),
          num(report.inserted + report.updated),
          num(report.unchanged),
          num(report.rejected),
        )}
      </p>
      <dl class="ingest-figures">
        {figures.map(([label, value, name]) => (
          <div key={name} class={`ingest-figure ingest-figure-${name}`} data-figure={name}>
            <dt>{label}</dt>
            <dd>{num(value)}</dd>
          </div>
        ))}
      </dl>
      <p class="staff-note">
        {m.ingest.details(
          num(report.embedded),
          num(report.embedding_cache_hits),
          num(report.seconds, 1),
          report.source,
        )}{' '}
        <span class="ingest-run-id">
          {m.ingest.runId} <code>{report.run_id}</code>
        </span>
      </p>
      {report.rejections.length ? (
        <div class="ingest-table">
          <table class="ingest-rejections">
            <caption>{m.ingest.rejectionsCaption(report.rejections.length)}</caption>
            <thead>
              <tr>
                <th scope="col">{format === 'csv' ? m.ingest.row : m.ingest.record}</th>
                <th scope="col">{m.ingest.sourceId}</th>
                <th scope="col">{m.ingest.reason}</th>
              </tr>
            </thead>
            <tbody>
              {report.rejections.map((rejection, index) => (
                <tr key={`${rejection.position}-${index}`}>
                  <td>{num(rejection.position)}</td>
                  <td dir="auto">{rejection.source_id ?? '—'}</td>
                  {/* The validator's words are English. */}
                  <td lang="en" dir="ltr">
                    {rejection.reason}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {report.rejected > report.rejections.length ? (
        <p class="staff-note">{m.ingest.moreRejections(num(report.rejected - report.rejections.length))}</p>
      ) : null}
    </section>
  );
}

export function ListingsUploadPage() {
  const m = t.value;
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [file, setFile] = useState<File | null>(null);
  const [source, setSource] = useState('');
  const [phase, setPhase] = useState<Phase>('idle');
  const [sent, setSent] = useState({ loaded: 0, total: 0 });
  const [report, setReport] = useState<{ report: IngestReport; format: ExportFormat } | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [dragging, setDragging] = useState(false);
  const stop = useRef<AbortController | null>(null);

  useEffect(() => () => stop.current?.abort(), []);

  const choose = (chosen: File | null) => {
    setFile(chosen);
    setProblem(null);
    setError(null);
    if (chosen) setSource((current) => current || chosen.name);
  };

  const check = (chosen: File | null): string | null => {
    if (!chosen) return m.ingest.chooseFirst;
    if (!exportFormat(chosen)) return m.ingest.wrongType;
    if (chosen.size === 0) return m.ingest.emptyFile;
    if (chosen.size > MAX_UPLOAD_BYTES) return m.ingest.tooLarge(megabytes(chosen.size), megabytes(MAX_UPLOAD_BYTES));
    return null;
  };

  const submit = async (event: Event) => {
    event.preventDefault();
    const wrong = check(file);
    setProblem(wrong);
    setError(null);
    if (wrong || !file) {
      input.current?.focus();
      return;
    }
    const controller = new AbortController();
    stop.current = controller;
    setReport(null);
    setSent({ loaded: 0, total: file.size });
    setPhase('sending');
    try {
      const answer = await ingestExport(file, source.trim() || file.name, {
        onProgress: (loaded, total) => setSent({ loaded, total }),
        onSent: () => setPhase('processing'),
        signal: controller.signal,
      });
      setReport({ report: answer, format: exportFormat(file) ?? 'csv' });
      setPhase('done');
    } catch (failure) {
      setPhase('idle');
      if (failure instanceof DOMException && failure.name === 'AbortError') {
        setProblem(m.ingest.stopped);
      } else if (failure instanceof ApiError && failure.code === 'invalid_file') {
        setProblem(m.ingest.invalidFile(failure.message));
      } else if (failure instanceof ApiError && failure.status === 413) {
        setProblem(m.ingest.tooLarge(megabytes(file.size), megabytes(MAX_UPLOAD_BYTES)));
      } else if (failure instanceof ApiError && failure.status === 415) {
        setProblem(m.ingest.wrongType);
      } else {
        setError(failure);
      }
    } finally {
      stop.current = null;
    }
  };

  const again = () => {
    setReport(null);
    setFile(null);
    setSource('');
    setPhase('idle');
    if (input.current) input.current.value = '';
    input.current?.focus();
  };

  const busy = phase === 'sending' || phase === 'processing';
  const share = sent.total ? (100 * sent.loaded) / sent.total : 0;
  return (
    <section class="ingest" aria-labelledby="ingest-title">
      <h1 id="ingest-title">{m.ingest.title}</h1>
      <p>{m.ingest.intro}</p>
      <p class="staff-note">
        {m.ingest.limit(megabytes(MAX_UPLOAD_BYTES))} <code dir="ltr">make ingest FILE=…</code>
      </p>
      <form class="form ingest-form" onSubmit={submit}>
        <div
          class={dragging ? 'drop-zone drop-zone-active' : 'drop-zone'}
          onDragOver={(event) => {
            event.preventDefault();
            setDragging(true);
          }}
          onDragLeave={() => setDragging(false)}
          onDrop={(event) => {
            event.preventDefault();
            setDragging(false);
            const dropped = event.dataTransfer?.files[0] ?? null;
            if (dropped && !busy) choose(dropped);
          }}
        >
          <div class="field">
            <label for={`${id}-file`}>{m.ingest.fileLabel}</label>
            <input
              ref={input}
              id={`${id}-file`}
              type="file"
              accept=".json,.csv,.tsv,application/json,text/csv"
              disabled={busy}
              aria-describedby={`${id}-file-hint`}
              onChange={(event) => choose(event.currentTarget.files?.[0] ?? null)}
            />
            <p class="field-hint" id={`${id}-file-hint`}>
              {file ? m.ingest.chosen(file.name, size(file.size)) : m.ingest.fileHint}
            </p>
          </div>
        </div>
        <Field label={m.ingest.sourceLabel} hint={m.ingest.sourceHint} value={source} onInput={setSource} dir="auto" />
        <p class="ingest-buttons">
          <button type="submit" class="button" disabled={busy}>
            {busy ? m.ingest.uploading : m.ingest.upload}
          </button>
          {phase === 'sending' ? (
            <button type="button" class="button button-quiet" onClick={() => stop.current?.abort()}>
              {m.ingest.cancel}
            </button>
          ) : null}
        </p>
      </form>
      {busy ? (
        <div class="ingest-progress">
          <label for={`${id}-progress`}>
            {phase === 'sending' ? m.ingest.sending(percent(Math.round(share))) : m.ingest.processing}
          </label>
          {phase === 'sending' ? (
            <progress id={`${id}-progress`} max={100} value={Math.round(share)} />
          ) : (
            // No value: an indeterminate bar, since the service reports nothing until the whole file is done.
            <progress id={`${id}-progress`} />
          )}
          <p class="visually-hidden" role="status">
            {phase === 'processing' ? m.ingest.processing : m.ingest.sendingStarted}
          </p>
        </div>
      ) : null}
      {problem ? (
        <p class="notice notice-error" role="alert">
          {problem}
        </p>
      ) : null}
      <ErrorNotice error={error} />
      {report ? (
        <>
          <Report report={report.report} format={report.format} />
          <p>
            <button type="button" class="button button-quiet" onClick={again}>
              {m.ingest.another}
            </button>
          </p>
        </>
      ) : null}
    </section>
  );
}
