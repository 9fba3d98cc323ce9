// The signed-in person's account (auth: GET /api/auth/me): email, phone, wallet and role as auth has them; the name
// (PATCH /me takes only display_name); a phone added or changed with a code by SMS (/otp/send, /phone/verify), which
// SMS alerts need; a wallet linked by Sign-In with Ethereum (/wallet/link). After a change the page reads GET /me again.
import { useEffect, useRef, useState } from 'preact/hooks';
import { me, sendAccountPhoneCode, updateMe, verifyAccountPhone } from '../../api/auth';
import { ApiError } from '../../api/errors';
import type { User } from '../../api/types';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Field } from '../../components/Field';
import { t } from '../../i18n';
import { user as sessionUser } from '../../state/session';
import { PhoneCodeForm } from '../auth/PhoneSignIn';
import { walletProblem } from '../auth/WalletSignIn';
import { linkEthereumWallet, walletProvider } from '../auth/wallet';

const NAME_MAX = 100; // auth's ProfileUpdate.display_name

/** The phone's or the wallet's 409 in words: they belong to another account. */
function takenProblem(error: unknown, words: string): string | null {
  return error instanceof ApiError && error.status === 409 ? words : null;
}

function Verified({ verified }: { verified: boolean }) {
  const a = t.value.account;
  return (
    <span class={`badge ${verified ? 'badge-verified' : 'badge-unverified'}`}>
      {verified ? a.verified : a.notVerified}
    </span>
  );
}

/** A value auth keeps as typed (an address, a number): left to right inside Arabic, isolated. */
function Raw({ text }: { text: string }) {
  return (
    <bdi dir="ltr" class="account-raw">
      {text}
    </bdi>
  );
}

function NameForm({ account, onSaved }: { account: User; onSaved: (notice: string) => Promise<void> }) {
  const a = t.value.account;
  const [name, setName] = useState(account.display_name ?? '');
  const [problem, setProblem] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [working, setWorking] = useState(false);

  const save = async (event: Event) => {
    event.preventDefault();
    setError(null);
    setProblem(null);
    const wanted = name.trim();
    if ([...wanted].length > NAME_MAX) {
      setProblem(a.nameTooLong(NAME_MAX));
      return;
    }
    setWorking(true);
    try {
      await updateMe(wanted === '' ? null : wanted);
      await onSaved(wanted === '' ? a.nameCleared : a.nameSaved);
    } catch (failure) {
      if (failure instanceof ApiError && failure.status === 422) setProblem(a.nameRefused);
      else setError(failure);
    } finally {
      setWorking(false);
    }
  };

  return (
    <form class="form" onSubmit={save} noValidate>
      <Field label={a.nameLabel} hint={a.nameHint} value={name} onInput={setName} autoComplete="name" dir="auto" />
      {problem ? (
        <p class="notice notice-error" role="alert">
          {problem}
        </p>
      ) : (
        <ErrorNotice error={error} />
      )}
      <button type="submit" class="button" disabled={working}>
        {working ? t.value.auth.working : a.saveName}
      </button>
    </form>
  );
}

function PhoneSection({ account, onChanged }: { account: User; onChanged: (notice: string) => Promise<void> }) {
  const a = t.value.account;
  const [open, setOpen] = useState(false);
  const opener = useRef<HTMLButtonElement>(null);
  const hasPhone = account.phone !== null && account.phone_verified;
  return (
    <section class="account-section" aria-labelledby="account-phone-title">
      <h2 id="account-phone-title">{a.phoneTitle}</h2>
      <p>{a.phoneWhy}</p>
      {open ? (
        <>
          <PhoneCodeForm
            title={hasPhone ? a.changePhone : a.addPhone}
            headingId="account-phone-form-title"
            send={sendAccountPhoneCode}
            verify={async (phone, code) => {
              const changed = await verifyAccountPhone(phone, code);
              setOpen(false);
              await onChanged(a.phoneSaved(`\u2066${changed.phone ?? phone}\u2069`));
            }}
            verifyLabel={a.verifyPhone}
            problemOf={(error) => takenProblem(error, a.phoneTaken)}
          />
          <button
            type="button"
            class="link-button"
            onClick={() => {
              setOpen(false);
              requestAnimationFrame(() => opener.current?.focus());
            }}
          >
            {a.cancel}
          </button>
        </>
      ) : (
        <button
          type="button"
          class="button"
          ref={opener}
          onClick={() => {
            setOpen(true);
            requestAnimationFrame(() =>
              document.querySelector<HTMLInputElement>('.account-section input[type="tel"]')?.focus(),
            );
          }}
        >
          {hasPhone ? a.changePhone : a.addPhone}
        </button>
      )}
    </section>
  );
}

function WalletSection({ account, onChanged }: { account: User; onChanged: (notice: string) => Promise<void> }) {
  const a = t.value.account;
  const [working, setWorking] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const present = walletProvider() !== null;

  const link = async () => {
    setError(null);
    setWorking(true);
    try {
      const changed = await linkEthereumWallet();
      await onChanged(a.walletLinked(`\u2066${changed.wallet_address ?? ''}\u2069`));
    } catch (failure) {
      setError(failure);
    } finally {
      setWorking(false);
    }
  };

  const problem = error ? (takenProblem(error, a.walletTaken) ?? walletProblem(error)) : null;
  return (
    <section class="account-section" aria-labelledby="account-wallet-title">
      <h2 id="account-wallet-title">{a.walletTitle}</h2>
      <p>{a.walletWhy}</p>
      {present ? (
        <>
          <button type="button" class="button" data-action="link-wallet" onClick={() => void link()} disabled={working}>
            {account.wallet_address ? a.linkOtherWallet : a.linkWallet}
          </button>
          {account.wallet_address ? <p class="field-hint">{a.linkOtherHint}</p> : null}
          {working ? <p role="status">{t.value.signin.walletConfirm}</p> : null}
          {problem ? (
            <p class="notice notice-error" role="alert">
              {problem}
            </p>
          ) : (
            <ErrorNotice error={error} />
          )}
        </>
      ) : (
        <p class="notice">{a.noWallet}</p>
      )}
    </section>
  );
}

export function AccountPage() {
  const m = t.value;
  const a = m.account;
  const [account, setAccount] = useState<User | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);

  /** The account as auth has it now; the header's name follows. */
  const reload = async () => {
    const fresh = await me();
    setAccount(fresh);
    sessionUser.value = fresh;
  };

  useEffect(() => {
    reload().catch(setError);
  }, []);

  /** After a change: what changed in words, and the page from GET /me (not from the change's own answer). */
  const changed = async (words: string) => {
    setNotice(null);
    await reload();
    setNotice(words);
  };

  const details = account ? (
    <dl class="account-details">
      <dt>{a.name}</dt>
      <dd dir="auto" data-field="name">
        {account.display_name ?? a.none}
      </dd>
      <dt>{a.email}</dt>
      <dd data-field="email">
        {account.email ? (
          <>
            <Raw text={account.email} /> <Verified verified={account.email_verified} />
          </>
        ) : (
          a.none
        )}
      </dd>
      <dt>{a.phone}</dt>
      <dd data-field="phone">
        {account.phone ? (
          <>
            <Raw text={account.phone} /> <Verified verified={account.phone_verified} />
          </>
        ) : (
          a.noPhone
        )}
      </dd>
      <dt>{a.wallet}</dt>
      <dd data-field="wallet">{account.wallet_address ? <Raw text={account.wallet_address} /> : a.none}</dd>
      <dt>{a.role}</dt>
      <dd data-field="role">{a.roles[account.role] ?? account.role}</dd>
    </dl>
  ) : null;

  return (
    <section class="account" aria-labelledby="account-title">
      <h1 id="account-title">{a.title}</h1>
      <div aria-live="polite">{notice ? <p class="notice notice-success">{notice}</p> : null}</div>
      <ErrorNotice error={error} />
      {account === null ? (
        error ? null : (
          <p role="status">{a.loading}</p>
        )
      ) : (
        <>
          {details}
          <section class="account-section" aria-labelledby="account-name-title">
            <h2 id="account-name-title">{a.nameTitle}</h2>
            {/* Keyed by the saved name, so the field shows what auth kept after a save. */}
            <NameForm key={account.display_name ?? ''} account={account} onSaved={changed} />
          </section>
          <PhoneSection account={account} onChanged={changed} />
          <WalletSection account={account} onChanged={changed} />
        </>
      )}
    </section>
  );
}
