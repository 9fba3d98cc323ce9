// A read that failed: the error in words and a button to try it again.
import { ErrorNotice } from '../../components/ErrorNotice';
import { t } from '../../i18n';

export function RetryNotice({ error, retry }: { error: unknown; retry: () => void }) {
  return (
    <div class="retry-notice">
      <ErrorNotice error={error} />
      <button type="button" class="button button-quiet" onClick={retry}>
        {t.value.listing.retry}
      </button>
    </div>
  );
}
