// The place of a page another change builds (listing, search, history, agents, listings upload, operations).
import type { ComponentType } from 'preact';
import { type Messages, t } from '../i18n';

export function comingSoon(title: (m: Messages) => string): ComponentType {
  return function ComingSoonPage() {
    const m = t.value;
    return (
      <section aria-labelledby="coming-title">
        <h1 id="coming-title">{m.pages.comingTitle(title(m))}</h1>
        <p>{m.pages.coming}</p>
        <p>
          <a href="/">{m.nav.chat}</a>
        </p>
      </section>
    );
  };
}
