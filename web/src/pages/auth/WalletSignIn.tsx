// Signing in with an Ethereum wallet in the browser (EIP-1193 + Sign-In with Ethereum, see wallet.ts).
import { useId, useState } from 'preact/hooks';
import { ApiError } from '../../api/errors';
import { ErrorNotice } from '../../components/ErrorNotice';
import { t } from '../../i18n';
import { acceptSignIn } from '../../state/session';
import { signInWithEthereum, WalletError } from './wallet';

/** A wallet's refusal or auth's 401 in words; null for what ErrorNotice says (the account page adds its 409). */
export function walletProblem(error: unknown): string | null {
  const m = t.value.signin;
  if (error instanceof WalletError) {
    return { no_wallet: m.noWallet, declined: m.walletDeclined, busy: m.walletBusy, failed: m.walletFailed }[
      error.reason
    ];
  }
  if (error instanceof ApiError && error.status === 401) return m.walletRefused;
  return null;
}

export function WalletSignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const m = t.value;
  const [working, setWorking] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const hintId = useId();

  const start = async () => {
    setError(null);
    setWorking(true);
    try {
      await acceptSignIn(await signInWithEthereum());
      onSignedIn();
    } catch (failure) {
      setError(failure);
    } finally {
      setWorking(false);
    }
  };

  const problem = walletProblem(error);
  return (
    <div class="signin-method">
      <button
        type="button"
        class="button button-quiet signin-provider"
        data-method="wallet"
        onClick={() => void start()}
        disabled={working}
        aria-describedby={hintId}
      >
        {m.signin.walletButton}
      </button>
      <p class="field-hint" id={hintId}>
        {m.signin.walletHint}
      </p>
      {working ? <p role="status">{m.signin.walletConfirm}</p> : null}
      {problem ? (
        <p class="notice notice-error" role="alert">
          {problem}
        </p>
      ) : (
        <ErrorNotice error={error} />
      )}
    </div>
  );
}
