// Every page of the client: its path, its component, who may open it, and its place in the header.
// To add a page: a folder under pages/, a lazy() import here, its strings in i18n/en.ts and ar.ts, and its path in
// the gateway's list of client routes only if it collides with a gateway location (see web/README.md).
import type { ComponentType } from 'preact';
import { lazy } from 'preact-iso';
import type { Role } from './api/types';
import type { Messages } from './i18n';
import { ChatPage } from './pages/chat/ChatPage';
import { comingSoon } from './pages/ComingSoonPage';

/** Who may open a page: anyone, a signed-in person, or the given roles. */
export type Audience = 'everyone' | 'signed-in' | Role[];

export interface PageRoute {
  path: string;
  component: ComponentType<any>;
  title: (m: Messages) => string;
  audience: Audience;
  /** Shown in the header's navigation (to the people of its audience) when set. */
  nav?: (m: Messages) => string;
  /** Who sees the header's link when not everyone of the audience should (the buyers' pages: not agents). */
  navFor?: Role[];
}

// The chat is the home page and ships in the first bundle; every other page loads when first opened.
const SignInPage = lazy(() => import('./pages/auth/SignInPage').then((module) => module.SignInPage));
const VerifyEmailPage = lazy(() => import('./pages/auth/VerifyEmailPage').then((module) => module.VerifyEmailPage));
const ResetPasswordPage = lazy(() =>
  import('./pages/auth/ResetPasswordPage').then((module) => module.ResetPasswordPage),
);
const OperationsPage = lazy(() =>
  import('./pages/operations/OperationsPage').then((module) => module.OperationsPage),
);
const GoogleReturnPage = lazy(() => import('./pages/auth/GoogleReturnPage').then((module) => module.GoogleReturnPage));
// The agents' pages share one chunk (the pipeline, a lead, the calendar); the upload page has its own.
const AgentsPage = lazy(() => import('./pages/agents/AgentsPage').then((module) => module.AgentsPage));
const LeadPage = lazy(() => import('./pages/agents/LeadPage').then((module) => module.LeadPage));
const ViewingsPage = lazy(() => import('./pages/agents/ViewingsPage').then((module) => module.ViewingsPage));
const ListingsUploadPage = lazy(() =>
  import('./pages/ingest/ListingsUploadPage').then((module) => module.ListingsUploadPage),
);
const SearchPage = lazy(() => import('./pages/search/SearchPage').then((module) => module.SearchPage));
const ListingPage = lazy(() => import('./pages/listing/ListingPage').then((module) => module.ListingPage));
const HistoryPage = lazy(() => import('./pages/history/HistoryPage').then((module) => module.HistoryPage));
const ViewingPage = lazy(() => import('./pages/viewings/ViewingPage').then((module) => module.ViewingPage));
const SavedSearchesPage = lazy(() =>
  import('./pages/saved/SavedSearchesPage').then((module) => module.SavedSearchesPage),
);
const AccountPage = lazy(() => import('./pages/account/AccountPage').then((module) => module.AccountPage));
const BookingsPage = lazy(() => import('./pages/bookings/BookingsPage').then((module) => module.BookingsPage));
const UnsubscribePage = lazy(() => import('./pages/alerts/UnsubscribePage').then((module) => module.UnsubscribePage));

export const ROUTES: PageRoute[] = [
  { path: '/', component: ChatPage, title: (m) => m.chat.title, audience: 'everyone', nav: (m) => m.nav.chat },
  {
    path: '/search',
    component: SearchPage,
    title: (m) => m.search.title,
    audience: 'everyone',
    nav: (m) => m.nav.search,
  },
  {
    path: '/listings/:id',
    component: ListingPage,
    title: (m) => m.card.details,
    audience: 'everyone',
  },
  {
    path: '/history',
    component: HistoryPage,
    title: (m) => m.history.title,
    audience: 'signed-in',
    nav: (m) => m.nav.history,
  },
  {
    path: '/saved-searches',
    component: SavedSearchesPage,
    title: (m) => m.savedSearches.title,
    audience: 'signed-in',
    nav: (m) => m.nav.savedSearches,
    navFor: ['user'],
  },
  // Every signed-in role's; the header links it from the person's name (App.tsx), not from the navigation.
  { path: '/account', component: AccountPage, title: (m) => m.account.title, audience: 'signed-in' },
  {
    path: '/bookings',
    component: BookingsPage,
    title: (m) => m.bookings.title,
    audience: 'signed-in',
    nav: (m) => m.nav.bookings,
    navFor: ['user'],
  },
  { path: '/agents', component: AgentsPage, title: (m) => m.nav.agents, audience: ['agent', 'admin'], nav: (m) => m.nav.agents },
  { path: '/agents/leads/:id', component: LeadPage, title: (m) => m.leads.detailTitle, audience: ['agent', 'admin'] },
  { path: '/agents/viewings', component: ViewingsPage, title: (m) => m.viewings.title, audience: ['agent', 'admin'] },
  {
    path: '/admin/listings',
    component: ListingsUploadPage,
    title: (m) => m.ingest.title,
    audience: ['admin'],
    nav: (m) => m.nav.listingsUpload,
  },
  {
    path: '/operations',
    component: OperationsPage,
    title: (m) => m.nav.operations,
    audience: ['admin'],
    nav: (m) => m.nav.operations,
  },
  // The page the links of a viewing's emails open (cancel or reschedule, no sign-in needed with the link).
  { path: '/viewings/:id', component: ViewingPage, title: (m) => m.viewingPage.title, audience: 'everyone' },
  // The page the unsubscribe links of alert messages open (services/agent/osool_agent/alerts/links.py).
  { path: '/alerts/unsubscribe', component: UnsubscribePage, title: (m) => m.unsubscribe.title, audience: 'everyone' },
  { path: '/signin', component: SignInPage, title: (m) => m.auth.signInTitle, audience: 'everyone' },
  { path: '/signin/google', component: GoogleReturnPage, title: (m) => m.signin.googleTitle, audience: 'everyone' },
  { path: '/verify-email', component: VerifyEmailPage, title: (m) => m.auth.verifyTitle, audience: 'everyone' },
  { path: '/reset-password', component: ResetPasswordPage, title: (m) => m.auth.resetTitle, audience: 'everyone' },
];

export function allowed(audience: Audience, role: Role | null): boolean {
  if (audience === 'everyone') return true;
  if (role === null) return false;
  return audience === 'signed-in' || audience.includes(role);
}
