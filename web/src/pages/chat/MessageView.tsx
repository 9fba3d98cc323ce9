// One message of the conversation. A reply's text is appended to its text node as each token arrives (StreamedText):
// a token changes that node and nothing else (no render of the message or the list), the shortest path to the screen.
import { describeError, SessionExpiredError } from '../../api/errors';
import { StreamedText } from '../../components/StreamedText';
import { lang, t } from '../../i18n';
import { describeTool } from './activity';
import { type ChatMessage, ConversationGoneError, type ToolActivity, TurnInProgressError } from './conversation';
import { ListingCard } from './ListingCard';
import { WidgetView } from './Widgets';

function Tools({ tools }: { tools: ToolActivity[] }) {
  const m = t.value;
  if (tools.length === 0) return null;
  return (
    <ul class="tool-activity">
      {tools.map((tool) => (
        <li key={tool.id} class={`tool tool-${tool.state}`} data-tool={tool.name}>
          <span class="tool-words">{describeTool(tool, m)}</span>{' '}
          <span class="tool-state">
            {tool.state === 'running' ? m.chat.toolRunning : tool.state === 'ok' ? m.chat.toolDone : m.chat.toolFailed}
            {/* The agent writes its one-line summary in English ("5 listings found"). */}
            {tool.state !== 'running' && tool.summary && lang.value === 'en' ? ` — ${tool.summary}` : ''}
          </span>
        </li>
      ))}
    </ul>
  );
}

function Failure({ error }: { error: unknown }) {
  const m = t.value;
  if (!error) return null;
  const words =
    error instanceof ConversationGoneError
      ? m.errors.conversationGone
      : error instanceof TurnInProgressError
        ? m.errors.turnInProgress
        : describeError(error, m);
  return (
    <p class="notice notice-error" role="alert">
      {words}
      {error instanceof SessionExpiredError ? (
        <>
          {' '}
          <a href="/signin">{m.errors.signInAgain}</a>
        </>
      ) : null}
    </p>
  );
}

export function MessageView({ message }: { message: ChatMessage }) {
  const m = t.value;
  if (message.role === 'user') {
    return (
      <li class="message message-user">
        <p class="message-who visually-hidden">{m.chat.you}</p>
        <p class="message-text" dir="auto">
          {message.text}
        </p>
      </li>
    );
  }
  const cards = message.cards.value;
  const streaming = message.state.value === 'streaming';
  return (
    <li class="message message-amr" data-state={message.state.value}>
      <p class="message-who">{m.chat.amr}</p>
      <Tools tools={message.tools.value} />
      <p class="message-text" dir="auto">
        <StreamedText text={message.text} />
        {streaming ? <span class="typing" aria-hidden="true" /> : null}
      </p>
      {message.fallback.value ? <p class="notice">{m.chat.fallbackNotice}</p> : null}
      <Failure error={message.error.value} />
      {cards.length > 0 ? (
        <section class="listings" aria-label={m.chat.listingsLabel(cards.length)}>
          <ul class="listing-grid">
            {cards.map((card) => (
              <li key={card.id}>
                <ListingCard card={card} />
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {message.widgets.value.map((widget, index) => (
        <WidgetView key={index} widget={widget} />
      ))}
    </li>
  );
}
