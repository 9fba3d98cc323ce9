// Any address the client has no page for.
import { t } from '../i18n';

export function NotFoundPage() {
  const m = t.value;
  return (
    <section aria-labelledby="not-found-title">
      <h1 id="not-found-title">{m.pages.notFoundTitle}</h1>
      <p>{m.pages.notFound}</p>
      <p>
        <a href="/">{m.nav.chat}</a>
      </p>
    </section>
  );
}
