import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { Action } from '../actions.ts';
import { LANGUAGES } from '../i18n/index.ts';
import { Link, navigate, useLocation } from '../router.tsx';
import { useSession } from '../session.tsx';
import { NotificationBell } from './NotificationBell.tsx';

interface NavItem {
  href: string;
  label: string;
  action: Action;
  /** Partner pages are for partner users; the operator holds some of the same actions. */
  kind?: 'partner' | 'customer' | 'operator';
}

const NAV: NavItem[] = [
  { href: '/', label: 'nav.home', action: 'customers.read', kind: 'partner' },
  { href: '/customers', label: 'nav.customers', action: 'customers.read', kind: 'partner' },
  { href: '/relationships', label: 'nav.relationships', action: 'relationships.request', kind: 'partner' },
  { href: '/planner', label: 'nav.planner', action: 'transitions.plan', kind: 'partner' },
  { href: '/transitions', label: 'nav.transitions', action: 'transitions.plan', kind: 'partner' },
  { href: '/billing', label: 'nav.billing', action: 'billing.read', kind: 'partner' },
  { href: '/transfers', label: 'nav.transfers', action: 'transfers.read', kind: 'partner' },
  { href: '/indirect', label: 'nav.indirect', action: 'indirect.read', kind: 'partner' },
  { href: '/tenant', label: 'nav.tenant', action: 'tenant.read', kind: 'customer' },
  { href: '/tenant/tasks', label: 'nav.tasks', action: 'tenant.read', kind: 'customer' },
  { href: '/tenant/credits', label: 'nav.credits', action: 'tenant.read', kind: 'customer' },
  { href: '/tenant/transfers', label: 'nav.tenantTransfers', action: 'tenant.read', kind: 'customer' },
  { href: '/tenant/azure', label: 'nav.tenantAzure', action: 'tenant.read', kind: 'customer' },
  { href: '/catalog', label: 'nav.catalog', action: 'offers.read' },
  { href: '/audit', label: 'nav.audit', action: 'audit.read' },
  { href: '/admin/credits', label: 'nav.creditQueue', action: 'operator.billing', kind: 'operator' },
  { href: '/clock', label: 'nav.clock', action: 'operator.clock', kind: 'operator' },
  { href: '/account', label: 'nav.account', action: 'session.password' },
];

export function LanguagePicker() {
  const { t, i18n } = useTranslation();
  return (
    <div className="language">
      <label htmlFor="language-picker">{t('shell.language')}</label>
      <select
        id="language-picker"
        value={i18n.language}
        onChange={(e) => void i18n.changeLanguage(e.target.value)}
      >
        {LANGUAGES.map((l) => (
          <option key={l} value={l} lang={l}>
            {t(`languages.${l}`)}
          </option>
        ))}
      </select>
    </div>
  );
}

export function Layout({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  const { user, can, signOut } = useSession();
  const loc = useLocation();
  const items = user ? NAV.filter((n) => can(n.action) && (!n.kind || n.kind === user.kind)) : [];
  const isCurrent = (href: string) =>
    href === '/' ? loc.pathname === '/' : loc.pathname === href || loc.pathname.startsWith(`${href}/`);
  return (
    <>
      <a className="skip-link" href="#main">
        {t('shell.skipToContent')}
      </a>
      <header className="topbar">
        <div className="brand">
          <Link href="/">{t('shell.product')}</Link>
        </div>
        {items.length > 0 && (
          <nav aria-label={t('shell.mainNav')}>
            <ul>
              {items.map((n) => (
                <li key={n.href}>
                  <Link
                    href={n.href}
                    aria-current={
                      isCurrent(n.href) &&
                      !items.some(
                        (o) => o.href !== n.href && o.href.length > n.href.length && isCurrent(o.href),
                      )
                        ? 'page'
                        : undefined
                    }
                  >
                    {t(n.label)}
                  </Link>
                </li>
              ))}
            </ul>
          </nav>
        )}
        <div className="topbar-end">
          <LanguagePicker />
          {user && (
            <>
              <NotificationBell />
              <span className="user" data-testid="signed-in-user">
                {user.email}
              </span>
              <button
                type="button"
                className="secondary"
                onClick={() => {
                  void signOut().finally(() => navigate('/sign-in'));
                }}
              >
                {t('shell.signOut')}
              </button>
            </>
          )}
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}
