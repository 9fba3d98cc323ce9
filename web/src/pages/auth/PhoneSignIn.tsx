// A phone number proved by a 6-digit code by SMS (auth: POST /api/auth/otp/send, then the code): PhoneCodeForm, used to
// sign in (or up) by phone (PhoneSignIn: /otp/verify) and by the account page to add a phone (/phone/verify).
import { useRef, useState } from 'preact/hooks';
import { sendPhoneCode, verifyPhoneCode } from '../../api/auth';
import { ApiError } from '../../api/errors';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Field } from '../../components/Field';
import { t } from '../../i18n';
import { acceptSignIn } from '../../state/session';

/** Digits as typed on an Arabic keyboard (٠-٩, ۰-۹) become ASCII digits: auth reads ASCII. */
function asciiDigits(text: string): string {
  return text.replace(/[\u0660-\u0669\u06f0-\u06f9]/g, (digit) => String((digit.charCodeAt(0) & 0x0f) % 10));
}

/** What the page says about an error of auth's OTP routes, when it says more than the general words. */
function phoneProblem(error: unknown, step: 'send' | 'verify'): string | null {
  const m = t.value.signin;
  if (!(error instanceof ApiError)) return null;
  if (error.code === 'invalid_phone') return m.badPhone;
  if (step !== 'verify') return null;
  if (error.status === 429) return m.tooManyCodes;
  if (error.code === 'invalid_code') {
    const left = (error.details as { attempts_left?: unknown } | null)?.attempts_left;
    return typeof left === 'number' && left > 0 ? m.wrongCode(left) : m.codeDead;
  }
  return null;
}

interface PhoneCodeFormProps {
  /** The form's heading and the id that labels its section. */
  title: string;
  headingId: string;
  /** Sends the code to the number (ASCII digits); answers its life in seconds. */
  send: (phone: string) => Promise<{ expires_in: number }>;
  /** Uses the code; resolves when the number is proved (and whatever follows is done). */
  verify: (phone: string, code: string) => Promise<void>;
  /** The button that sends the code in. */
  verifyLabel: string;
  /** What this use says of an error beyond the common ones (the account page: a number of another account). */
  problemOf?: (error: unknown) => string | null;
}

export function PhoneSignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const m = t.value;
  return (
    <PhoneCodeForm
      title={m.signin.phoneTitle}
      headingId="signin-phone-title"
      send={sendPhoneCode}
      verify={async (phone, code) => {
        await acceptSignIn(await verifyPhoneCode(phone, code));
        onSignedIn();
      }}
      verifyLabel={m.signin.verifyCode}
    />
  );
}

export function PhoneCodeForm({ title, headingId, send: sendCode, verify: check, verifyLabel, problemOf }: PhoneCodeFormProps) {
  const m = t.value;
  const [phone, setPhone] = useState('');
  const [code, setCode] = useState('');
  // The number the code went to, and for how long it works; null before a code was sent.
  const [sent, setSent] = useState<{ phone: string; minutes: number } | null>(null);
  const [error, setError] = useState<{ error: unknown; step: 'send' | 'verify' } | null>(null);
  const [working, setWorking] = useState(false);
  const [short, setShort] = useState(false);
  const codeBox = useRef<HTMLDivElement>(null);

  const send = async (event?: Event) => {
    event?.preventDefault();
    const number = sent?.phone ?? asciiDigits(phone.trim());
    setError(null);
    setShort(false);
    setWorking(true);
    try {
      const answer = await sendCode(number);
      setSent({ phone: number, minutes: Math.max(1, Math.round(answer.expires_in / 60)) });
      setCode('');
      // The next thing to type is the code: focus follows.
      requestAnimationFrame(() => codeBox.current?.querySelector('input')?.focus());
    } catch (failure) {
      setError({ error: failure, step: 'send' });
    } finally {
      setWorking(false);
    }
  };

  const verify = async (event: Event) => {
    event.preventDefault();
    if (!sent) return;
    if (code.length !== 6) {
      setError(null);
      setShort(true);
      return;
    }
    setShort(false);
    setError(null);
    setWorking(true);
    try {
      await check(sent.phone, code.trim());
    } catch (failure) {
      setError({ error: failure, step: 'verify' });
    } finally {
      setWorking(false);
    }
  };

  const problem = short
    ? m.signin.codeLength
    : error
      ? (problemOf?.(error.error) ?? phoneProblem(error.error, error.step))
      : null;
  const notice = problem ? (
    <p class="notice notice-error" role="alert">
      {problem}
    </p>
  ) : (
    <ErrorNotice error={error?.error} />
  );

  return (
    <section class="signin-method" aria-labelledby={headingId}>
      <h3 id={headingId}>{title}</h3>
      {sent === null ? (
        <form class="form" onSubmit={send}>
          <Field
            label={m.signin.phoneLabel}
            hint={m.signin.phoneHint}
            type="tel"
            inputMode="tel"
            value={phone}
            onInput={setPhone}
            autoComplete="tel"
            required
            dir="ltr"
          />
          {notice}
          <button type="submit" class="button" disabled={working}>
            {working ? m.auth.working : m.signin.sendCode}
          </button>
        </form>
      ) : (
        <form class="form" onSubmit={verify}>
          <p class="notice notice-success" role="status">
            {/* The number stays left to right inside Arabic text (Unicode isolates). */}
            {m.signin.codeSent(`\u2066${sent.phone}\u2069`, sent.minutes)}
          </p>
          <div ref={codeBox}>
            <Field
              label={m.signin.codeLabel}
              inputMode="numeric"
              maxLength={6}
              value={code}
              onInput={(value) => setCode(asciiDigits(value).replace(/\D/g, '').slice(0, 6))}
              autoComplete="one-time-code"
              required
              dir="ltr"
            />
          </div>
          {notice}
          <button type="submit" class="button" disabled={working}>
            {working ? m.auth.working : verifyLabel}
          </button>
          <p class="signin-actions">
            <button type="button" class="link-button" onClick={() => void send()} disabled={working}>
              {m.signin.resend}
            </button>
            <button
              type="button"
              class="link-button"
              onClick={() => {
                setSent(null);
                setError(null);
                setShort(false);
              }}
            >
              {m.signin.otherNumber}
            </button>
          </p>
        </form>
      )}
    </section>
  );
}
