// The home page: the conversation with Amr, anonymous or signed in.
import { useEffect, useRef, useState } from 'preact/hooks';
import { t } from '../../i18n';
import { restoring, user } from '../../state/session';
import { CompareBar, CompareDialog } from './CompareTable';
import { busy, loadingHistory, messages, resetConversation, restoreConversation, send } from './conversation';
import { MessageView } from './MessageView';
import { forgetReservations, loadMyReservations } from './reservations';
import { forgetViewings, loadMyViewings } from './viewings';

export function ChatPage() {
  const m = t.value;
  const [draft, setDraft] = useState('');
  const [comparing, setComparing] = useState(false);
  const input = useRef<HTMLTextAreaElement>(null);
  const log = useRef<HTMLOListElement>(null);
  const list = messages.value;

  useEffect(() => {
    // Once the session is known (a signed-in user's conversation needs the token): the stored conversation again.
    if (!restoring.value) void restoreConversation();
  }, [restoring.value, user.value]);

  useEffect(() => {
    // The buyer's own reservations and viewings: what the cards and widgets show is their state now.
    if (restoring.value) return;
    if (user.value) {
      void loadMyReservations();
      void loadMyViewings();
    } else {
      forgetReservations();
      forgetViewings();
    }
  }, [restoring.value, user.value?.id]);

  useEffect(() => {
    // A new message: its reply streams below it, in view.
    const last = log.current?.lastElementChild?.previousElementSibling;
    if (last instanceof HTMLElement) last.scrollIntoView({ block: 'start', behavior: 'smooth' });
  }, [list.length]);

  const submit = (text: string) => {
    if (!text.trim() || busy.value) return;
    setDraft('');
    void send(text);
    input.current?.focus();
  };

  return (
    <section class="chat" aria-labelledby="chat-title">
      <div class="chat-head">
        <h1 id="chat-title">{m.chat.title}</h1>
        {list.length > 0 ? (
          <button type="button" class="button button-quiet" onClick={resetConversation} disabled={busy.value}>
            {m.chat.newConversation}
          </button>
        ) : null}
      </div>
      {list.length === 0 ? (
        loadingHistory.value ? (
          <p role="status">{m.chat.loadingHistory}</p>
        ) : (
          <div class="chat-intro">
            <p>{m.chat.intro}</p>
            <p class="chat-examples-label" id="examples-label">
              {m.chat.examplesLabel}
            </p>
            <ul class="chat-examples" aria-labelledby="examples-label">
              {m.chat.examples.map((example) => (
                <li key={example}>
                  <button
                    type="button"
                    class="example"
                    dir="auto"
                    lang={/[\u0600-\u06FF]/.test(example) ? 'ar' : 'en'}
                    onClick={() => submit(example)}
                  >
                    {example}
                  </button>
                </li>
              ))}
            </ul>
          </div>
        )
      ) : null}
      <div role="log" aria-label={m.chat.logLabel} aria-busy={busy.value}>
        <ol class="chat-log" ref={log}>
          {list.map((message) => (
            <MessageView key={message.key} message={message} />
          ))}
        </ol>
      </div>
      {!user.value && list.length > 0 ? (
        <p class="notice chat-anonymous">
          {m.chat.anonymousNote} <a href="/signin">{m.nav.signIn}</a>
        </p>
      ) : null}
      <CompareBar onOpen={() => setComparing(true)} />
      <form
        class="composer"
        onSubmit={(event) => {
          event.preventDefault();
          submit(draft);
        }}
      >
        <label for="chat-message" class="visually-hidden">
          {m.chat.messageLabel}
        </label>
        <textarea
          id="chat-message"
          ref={input}
          rows={2}
          dir="auto"
          maxLength={4000}
          placeholder={m.chat.placeholder}
          value={draft}
          onInput={(event) => setDraft(event.currentTarget.value)}
          onKeyDown={(event) => {
            // Enter sends; Shift+Enter starts a new line.
            if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
              event.preventDefault();
              submit(draft);
            }
          }}
        />
        <button type="submit" class="button" disabled={busy.value || !draft.trim()}>
          {busy.value ? m.chat.sending : m.chat.send}
        </button>
      </form>
      <CompareDialog open={comparing} onClose={() => setComparing(false)} />
    </section>
  );
}
