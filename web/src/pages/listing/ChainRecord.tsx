// A listing's record on the blockchain registry (GET /api/chain/listings/{id}): status, owner, price and document
// hash, the transactions that changed it, the writes on their way; and its verification (POST /api/chain/verify):
// the hash of the listing's record as shown here, and of any file the visitor holds, against the hash on chain.
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../../api/errors';
import { type ChainListing, chainListing, type Verification, verifyDocument } from '../../api/chain';
import type { Property } from '../../api/search';
import { ErrorNotice } from '../../components/ErrorNotice';
import { dateTime, egp, num, t } from '../../i18n';
import { fileHash, recordHash } from './recordHash';
import { RetryNotice } from './RetryNotice';
import { useLoad } from './useLoad';

/** The registry's record, or null when the listing was never registered (a 404 is an answer here, not a failure). */
async function recordOf(id: string, signal: AbortSignal): Promise<ChainListing | null> {
  try {
    return await chainListing(id, signal);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
}

function Hash({ value }: { value: string }) {
  return (
    <code class="hash" dir="ltr">
      {value}
    </code>
  );
}

function RecordCheck({ listing, record }: { listing: Property; record: ChainListing }) {
  const l = t.value.listing;
  const hash = record.document_hash;
  const load = useLoad(hash ? `${listing.id}|${hash}|${listing.updated_at}` : null, async () =>
    verifyDocument(listing.id, await recordHash(listing)),
  );
  if (!hash) return <p class="listing-muted">{l.verifyWaiting}</p>;
  if (load.state === 'loading') return <p role="status">{l.verifying}</p>;
  if (load.state === 'failed') return <RetryNotice error={load.error} retry={load.retry} />;
  const result = load.data;
  return result.matches ? (
    <p class="notice notice-success verify-result" data-matches="true">
      {l.recordMatches(result.as_of_block === null ? '—' : num(result.as_of_block))}
    </p>
  ) : (
    <p class="notice verify-result" data-matches="false">
      {l.recordDiffers}
    </p>
  );
}

function FileCheck({ listing }: { listing: Property }) {
  const l = t.value.listing;
  const [result, setResult] = useState<{ name: string; verification: Verification } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function check(file: File | undefined) {
    setResult(null);
    setError(null);
    if (!file) return;
    setBusy(true);
    try {
      setResult({ name: file.name, verification: await verifyDocument(listing.id, await fileHash(file)) });
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div class="file-check">
      <label for="document-file">{l.fileLabel}</label>
      <p class="field-hint" id="document-file-hint">
        {l.fileHint}
      </p>
      <input
        id="document-file"
        type="file"
        aria-describedby="document-file-hint"
        onChange={(event) => void check(event.currentTarget.files?.[0])}
      />
      <div aria-live="polite">
        {busy ? <p>{l.verifying}</p> : null}
        {result ? (
          <div
            class={`notice ${result.verification.matches ? 'notice-success' : 'notice-error'} file-result`}
            data-matches={String(result.verification.matches)}
          >
            <p>
              {result.verification.matches ? l.fileMatches(result.name) : l.fileDiffers(result.name)}
            </p>
            <p class="file-result-hash">
              {l.fileHash}: <Hash value={result.verification.document_hash} />
            </p>
          </div>
        ) : null}
      </div>
      <ErrorNotice error={error} />
    </div>
  );
}

function Registered({ listing, record }: { listing: Property; record: ChainListing }) {
  const m = t.value;
  const l = m.listing;
  const status = record.status;
  const statusWord = (value: string) => l.chainStatuses[value] ?? value;
  return (
    <>
      <dl class="listing-page-facts chain-facts">
        <div>
          <dt>{l.chainStatus}</dt>
          <dd>
            {status ? <span class={`badge badge-${status}`}>{statusWord(status)}</span> : l.chainPending}
            {record.pending_status && record.pending_status !== status ? (
              <span class="chain-becoming"> ({l.becoming(statusWord(record.pending_status))})</span>
            ) : null}
          </dd>
        </div>
        {record.price_egp !== null ? (
          <div>
            <dt>{l.chainPrice}</dt>
            <dd>
              {egp(record.price_egp)}
              {record.price_egp !== listing.price ? (
                <span class="listing-muted"> {l.chainPriceDiffers(egp(listing.price))}</span>
              ) : null}
            </dd>
          </div>
        ) : null}
        {record.listed_at ? (
          <div>
            <dt>{l.registered}</dt>
            <dd>{dateTime(record.listed_at)}</dd>
          </div>
        ) : null}
        {record.updated_at ? (
          <div>
            <dt>{l.chainUpdated}</dt>
            <dd>{dateTime(record.updated_at)}</dd>
          </div>
        ) : null}
        {record.last_block !== null ? (
          <div>
            <dt>{l.block}</dt>
            <dd>{num(record.last_block)}</dd>
          </div>
        ) : null}
        <div class="chain-wide">
          <dt>{l.registryId}</dt>
          <dd>
            <Hash value={record.chain_listing_id} />
          </dd>
        </div>
        {record.contract_address ? (
          <div class="chain-wide">
            <dt>{l.contract}</dt>
            <dd>
              <Hash value={record.contract_address} />
            </dd>
          </div>
        ) : null}
        {record.owner ? (
          <div class="chain-wide">
            <dt>{l.owner}</dt>
            <dd>
              <Hash value={record.owner} />
            </dd>
          </div>
        ) : null}
        {record.reserved_by ? (
          <div class="chain-wide">
            <dt>{l.reservedBy}</dt>
            <dd>
              <Hash value={record.reserved_by} />
            </dd>
          </div>
        ) : null}
        {record.document_hash ? (
          <div class="chain-wide">
            <dt>{l.documentHash}</dt>
            <dd>
              <Hash value={record.document_hash} />
            </dd>
          </div>
        ) : null}
      </dl>

      {record.transactions.length > 0 ? (
        <>
          <h3>{l.historyTitle}</h3>
          <div class="table-scroll" tabIndex={0} role="region" aria-label={l.historyCaption}>
            <table class="data-table chain-table">
              <caption class="visually-hidden">{l.historyCaption}</caption>
              <thead>
                <tr>
                  <th scope="col">{l.event}</th>
                  <th scope="col">{l.block}</th>
                  <th scope="col">{l.time}</th>
                  <th scope="col">{l.txHash}</th>
                </tr>
              </thead>
              <tbody>
                {record.transactions.map((event) => (
                  <tr key={`${event.tx_hash}-${event.log_index}`}>
                    <th scope="row">{l.events[event.event] ?? event.event}</th>
                    <td>{num(event.block_number)}</td>
                    <td>{dateTime(event.block_time)}</td>
                    <td>
                      <Hash value={event.tx_hash} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      ) : null}

      {record.pending_transactions.length > 0 ? (
        <>
          <h3>{l.pendingTitle}</h3>
          <ul class="chain-pending">
            {record.pending_transactions.map((tx) => (
              <li key={tx.tx_id}>
                {l.events[functionEvent(tx.function)] ?? tx.function}: {l.txStatuses[tx.status] ?? tx.status}
                {tx.tx_hash ? (
                  <>
                    {' '}
                    <Hash value={tx.tx_hash} />
                  </>
                ) : null}
              </li>
            ))}
          </ul>
        </>
      ) : null}

      <h3>{l.verifyTitle}</h3>
      <RecordCheck listing={listing} record={record} />
      {record.document_hash ? <FileCheck listing={listing} /> : null}
    </>
  );
}

/** The event a contract function emits, to name a write on its way as its confirmed event will be named. */
function functionEvent(name: string): string {
  const events: Record<string, string> = {
    list: 'Listed',
    updateDocument: 'DocumentUpdated',
    updatePrice: 'PriceUpdated',
    reserve: 'Reserved',
    cancelReservation: 'ReservationCancelled',
    markSold: 'Sold',
  };
  return events[name] ?? name;
}

export function ChainRecord({ listing }: { listing: Property }) {
  const l = t.value.listing;
  const load = useLoad(listing.id, (signal) => recordOf(listing.id, signal));
  const section = useRef<HTMLElement>(null);
  const loaded = load.state !== 'loading';
  useEffect(() => {
    // /listings/<id>#registry (a reservation's link on /bookings) opens here: the client's router does not scroll to
    // a fragment, and the section has its height only once the record is read.
    if (loaded && window.location.hash === '#registry') section.current?.scrollIntoView({ block: 'start' });
  }, [loaded]);
  let body;
  if (load.state === 'loading') body = <p role="status">{l.chainLoading}</p>;
  else if (load.state === 'failed') body = <RetryNotice error={load.error} retry={load.retry} />;
  else if (load.data === null) body = <p class="listing-muted chain-none">{l.chainNotRegistered}</p>;
  else body = <Registered listing={listing} record={load.data} />;
  return (
    <section
      id="registry"
      ref={section}
      class="listing-section"
      aria-labelledby="chain-title"
      aria-busy={load.state === 'loading'}
    >
      <h2 id="chain-title">{l.chainTitle}</h2>
      {body}
    </section>
  );
}
