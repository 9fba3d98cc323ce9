// The shell of every page: skip link, header (navigation by role, language, account), notices, the routed page in
// <main>, footer. Moves focus to the page after a navigation so keyboard and screen-reader users land on it.
import { signal } from '@preact/signals';
import type { ComponentType } from 'preact';
import { ErrorBoundary, LocationProvider, Route, Router, useLocation } from 'preact-iso';
import { useEffect, useRef } from 'preact/hooks';
import { lang, setLang, t } from './i18n';
import { NotFoundPage } from './pages/NotFoundPage';
import { allowed, type PageRoute, ROUTES } from './routes';
import { displayName, restoring, role, sessionEnded, signOut, user } from './state/session';

const online = signal(navigator.onLine);
window.addEventListener('online', () => (online.value = true));
window.addEventListener('offline', () => (online.value = false));

function guarded(route: PageRoute): ComponentType<any> {
  if (route.audience === 'everyone') return route.component;
  const Page = route.component;
  return function GuardedPage(props: Record<string, unknown>) {
    const m = t.value;
    if (restoring.value) return <p role="status">{m.pages.loading}</p>;
    if (!allowed(route.audience, role.value)) {
      return (
        <section aria-labelledby="needs-role-title">
          <h1 id="needs-role-title">{route.title(m)}</h1>
          <p>{m.pages.needsRole}</p>
          <p>
            <a href={`/signin?next=${encodeURIComponent(route.path)}`}>{m.nav.signIn}</a>
          </p>
        </section>
      );
    }
    return <Page {...props} />;
  };
}

const PAGES = ROUTES.map((route) => ({ route, view: guarded(route) }));

function currentRoute(path: string): PageRoute | undefined {
  return ROUTES.find((route) => {
    const pattern = route.path.split('/');
    const parts = path.split('/');
    return pattern.length === parts.length && pattern.every((part, i) => part.startsWith(':') || part === parts[i]);
  });
}

function Header() {
  const m = t.value;
  const { path, route } = useLocation();
  const who = user.value;
  const shown = (page: PageRoute) =>
    allowed(page.audience, role.value) && (!page.navFor || (role.value !== null && page.navFor.includes(role.value)));
  const links = ROUTES.filter((page) => page.nav && shown(page));
  const other = lang.value === 'en' ? 'ar' : 'en';
  return (
    <header class="site-header">
      <a href="/" class="brand">
        <span lang="en">Osool</span> <span lang="ar">أصول</span>
      </a>
      <nav aria-label={m.nav.label} class="site-nav">
        <ul>
          {links.map((page) => (
            <li key={page.path}>
              <a href={page.path} aria-current={path === page.path ? 'page' : undefined}>
                {page.nav?.(m)}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <div class="header-tools">
        <button type="button" class="button button-quiet" onClick={() => setLang(other)}>
          <span class="visually-hidden">{m.language.switchLabel}: </span>
          <span lang={other}>{m.language.switchTo}</span>
        </button>
        {who ? (
          <>
            {/* The account page, for every role: the name is its link. */}
            <a class="user-name" href="/account" dir="auto" aria-current={path === '/account' ? 'page' : undefined}>
              <span class="visually-hidden">{m.nav.signedInAs('')}</span>
              {displayName(who)}
              <span class="visually-hidden"> ({m.nav.account})</span>
            </a>
            <button
              type="button"
              class="button button-quiet"
              onClick={() => {
                void signOut();
                route('/');
              }}
            >
              {m.nav.signOut}
            </button>
          </>
        ) : (
          <a class="button" href="/signin" aria-current={path === '/signin' ? 'page' : undefined}>
            {m.nav.signIn}
          </a>
        )}
      </div>
    </header>
  );
}

function Notices() {
  const m = t.value;
  return (
    <div class="page-notices" aria-live="polite">
      {!online.value ? <p class="notice notice-error">{m.offlineBanner}</p> : null}
      {sessionEnded.value && !user.value ? (
        <p class="notice notice-error">
          {m.errors.sessionExpired} <a href="/signin">{m.errors.signInAgain}</a>
        </p>
      ) : null}
    </div>
  );
}

function Shell() {
  const m = t.value;
  const { path } = useLocation();
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);
  const page = currentRoute(path);

  useEffect(() => {
    document.title = page ? `${page.title(m)} — ${m.brand}` : `${m.pages.notFoundTitle} — ${m.brand}`;
  }, [path, m]);

  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    window.scrollTo(0, 0);
    main.current?.focus({ preventScroll: true });
  }, [path]);

  return (
    <>
      <a class="skip-link" href="#main">
        {m.skipToContent}
      </a>
      <Header />
      <Notices />
      <main id="main" ref={main} tabIndex={-1}>
        <ErrorBoundary>
          <Router>
            {[
              ...PAGES.map(({ route, view }) => <Route key={route.path} path={route.path} component={view} />),
              <Route key="not-found" default component={NotFoundPage} />,
            ]}
          </Router>
        </ErrorBoundary>
      </main>
      <footer class="site-footer">
        <p>{m.footer}</p>
      </footer>
    </>
  );
}

export function App() {
  return (
    <LocationProvider>
      <Shell />
    </LocationProvider>
  );
}
