import { type ReactNode, useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import type { Action } from './actions.ts';
import { Loading } from './components/Alert.tsx';
import { Layout } from './components/Layout.tsx';
import { match, navigate, useLocation } from './router.tsx';
import { useSession } from './session.tsx';
import { AccountView } from './views/AccountView.tsx';
import { AuditView } from './views/AuditView.tsx';
import { AzureView, TenantAzureView } from './views/AzureView.tsx';
import { BillingView } from './views/BillingView.tsx';
import { BulkRunsView, BulkRunView } from './views/BulkRunsView.tsx';
import { CatalogView } from './views/CatalogView.tsx';
import { ClockView } from './views/ClockView.tsx';
import { CreditQueueView } from './views/CreditQueueView.tsx';
import { CustomersView } from './views/CustomersView.tsx';
import { CustomerView } from './views/CustomerView.tsx';
import { ForgotPasswordView } from './views/ForgotPasswordView.tsx';
import { HomeView } from './views/HomeView.tsx';
import { IndirectInvitationView, IndirectView } from './views/IndirectView.tsx';
import { InvitationView } from './views/InvitationView.tsx';
import { InvoicesView, InvoiceView } from './views/InvoicesView.tsx';
import { LicensesView } from './views/LicensesView.tsx';
import { MarginsView } from './views/MarginsView.tsx';
import { NewOrderView, OrdersView } from './views/OrdersView.tsx';
import { PlannerView } from './views/PlannerView.tsx';
import { PriceRulesView } from './views/PriceRulesView.tsx';
import { RelationshipsView } from './views/RelationshipsView.tsx';
import { SetPasswordView } from './views/SetPasswordView.tsx';
import { SignInView } from './views/SignInView.tsx';
import { SubscriptionView } from './views/SubscriptionView.tsx';
import { TenantCreditsView } from './views/TenantCreditsView.tsx';
import { TenantTasksView } from './views/TenantTasksView.tsx';
import { TenantView } from './views/TenantView.tsx';
import { TenantTransfersView, TransfersView } from './views/TransfersView.tsx';
import { TransitionsView } from './views/TransitionsView.tsx';
import { TransitionView } from './views/TransitionView.tsx';

interface Route {
  path: string;
  /** Undefined: public (the invitation page is readable before signing in). */
  action?: Action;
  render(params: Record<string, string>, search: URLSearchParams): ReactNode;
}

const ROUTES: Route[] = [
  { path: '/customers', action: 'customers.read', render: () => <CustomersView /> },
  {
    path: '/customers/:tenantId',
    action: 'customers.read',
    render: (p) => <CustomerView tenantId={p.tenantId!} />,
  },
  {
    path: '/customers/:tenantId/subscriptions/:id',
    action: 'subscriptions.read',
    render: (p) => <SubscriptionView tenantId={p.tenantId!} id={p.id!} />,
  },
  {
    path: '/customers/:tenantId/licenses',
    action: 'licenses.read',
    render: (p) => <LicensesView tenantId={p.tenantId!} />,
  },
  {
    path: '/customers/:tenantId/orders',
    action: 'subscriptions.read',
    render: (p) => <OrdersView tenantId={p.tenantId!} />,
  },
  {
    path: '/customers/:tenantId/orders/new',
    action: 'orders.create',
    render: (p) => <NewOrderView tenantId={p.tenantId!} />,
  },
  {
    path: '/customers/:tenantId/azure',
    action: 'azure.read',
    render: (p) => <AzureView tenantId={p.tenantId!} />,
  },
  { path: '/relationships', action: 'relationships.request', render: () => <RelationshipsView /> },
  { path: '/planner', action: 'transitions.plan', render: () => <PlannerView /> },
  { path: '/transitions', action: 'transitions.plan', render: () => <TransitionsView /> },
  { path: '/bulk-runs', action: 'transitions.plan', render: () => <BulkRunsView /> },
  { path: '/bulk-runs/:id', action: 'transitions.plan', render: (p) => <BulkRunView id={p.id!} /> },
  {
    path: '/transitions/:id',
    action: 'customers.read',
    render: (p) => <TransitionView transitionId={p.id!} />,
  },
  { path: '/billing', action: 'billing.read', render: () => <BillingView /> },
  { path: '/billing/credits', action: 'billing.read', render: () => <BillingView section="credits" /> },
  { path: '/billing/invoices', action: 'invoices.read', render: () => <InvoicesView /> },
  {
    path: '/billing/invoices/:id',
    action: 'invoices.read',
    render: (p) => <InvoiceView invoiceId={p.id!} />,
  },
  { path: '/billing/margins', action: 'billing.read', render: () => <MarginsView /> },
  { path: '/billing/price-rules', action: 'billing.price-rules', render: () => <PriceRulesView /> },
  { path: '/transfers', action: 'transfers.read', render: () => <TransfersView /> },
  { path: '/indirect', action: 'indirect.read', render: () => <IndirectView /> },
  {
    path: '/indirect-invitations/:token',
    action: 'indirect.manage',
    render: (p) => <IndirectInvitationView token={p.token!} />,
  },
  { path: '/invitations/:token', render: (p) => <InvitationView token={p.token!} /> },
  { path: '/tenant', action: 'tenant.read', render: () => <TenantView /> },
  { path: '/tenant/tasks', action: 'tenant.read', render: () => <TenantTasksView /> },
  { path: '/tenant/credits', action: 'tenant.read', render: () => <TenantCreditsView /> },
  { path: '/tenant/transfers', action: 'tenant.read', render: () => <TenantTransfersView /> },
  { path: '/tenant/azure', action: 'tenant.read', render: () => <TenantAzureView /> },
  { path: '/catalog', action: 'offers.read', render: () => <CatalogView /> },
  { path: '/audit', action: 'audit.read', render: () => <AuditView /> },
  { path: '/clock', action: 'session.read', render: () => <ClockView /> },
  { path: '/admin/credits', action: 'operator.billing', render: () => <CreditQueueView /> },
  { path: '/account', action: 'session.password', render: () => <AccountView /> },
  // Opened from a one-time link or before signing in: public.
  { path: '/set-password', render: (_p, search) => <SetPasswordView token={search.get('token')} /> },
  { path: '/forgot-password', render: () => <ForgotPasswordView /> },
];

function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}

function NotFound() {
  const { t } = useTranslation();
  return <h1>{t('notFound.title')}</h1>;
}

function Forbidden() {
  const { t } = useTranslation();
  return (
    <>
      <h1>{t('forbidden.title')}</h1>
      <p>{t('forbidden.text')}</p>
    </>
  );
}

function Home() {
  const { user } = useSession();
  if (user?.kind === 'customer') return <Redirect to="/tenant" />;
  if (user?.kind === 'operator') return <Redirect to="/catalog" />;
  return <HomeView />;
}

export function App() {
  const loc = useLocation();
  const { user, can } = useSession();
  const { t, i18n } = useTranslation();

  // One <h1> per view, and a title that says where one is.
  useEffect(() => {
    const h1 = document.querySelector('main h1');
    document.title = h1?.textContent ? `${h1.textContent} · ${t('shell.product')}` : t('shell.product');
  });
  useEffect(() => {
    document.documentElement.lang = i18n.language;
  }, [i18n.language]);
  // After a client-side navigation, move focus to the new view so keyboard and screen-reader
  // users start at its content (not on the link they left behind).
  const firstRender = useRef(true);
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on each new path
  useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    document.getElementById('main')?.focus({ preventScroll: true });
  }, [loc.pathname]);

  if (user === undefined) {
    return (
      <Layout>
        <Loading />
      </Layout>
    );
  }

  if (loc.pathname === '/sign-in') {
    return (
      <Layout>
        <SignInView next={loc.search.get('next')} />
      </Layout>
    );
  }

  let content: ReactNode = null;
  if (loc.pathname === '/' || loc.pathname === '') {
    content = user ? <Home /> : <Redirect to="/sign-in" />;
  } else {
    for (const r of ROUTES) {
      const params = match(r.path, loc.pathname);
      if (!params) continue;
      if (r.action && !user) content = <Redirect to={`/sign-in?next=${encodeURIComponent(loc.href)}`} />;
      else if (r.action && !can(r.action)) content = <Forbidden />;
      else content = r.render(params, loc.search);
      break;
    }
    if (content === null) content = <NotFound />;
  }
  return <Layout>{content}</Layout>;
}
