import { useCallback, useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api.ts';
import { useFormat } from '../format.ts';
import { Link } from '../router.tsx';
import { useSession } from '../session.tsx';

interface Notification {
  id: string;
  kind:
    | 'invitation-accepted'
    | 'plan-needs-acknowledgment'
    | 'step-failed'
    | 'transfer-waiting'
    | 'gdap-expiring'
    | 'credit-decided'
    | 'invoice-ready';
  data: {
    tenantId?: string;
    tenantName?: string | null;
    partnerName?: string | null;
    transitionId?: string;
    number?: string;
    decision?: string;
    expiresAt?: string;
    daysBefore?: number;
  };
  createdAt: string;
  readAt: string | null;
}

interface NotificationPage {
  items: Notification[];
  nextCursor: string | null;
  unreadCount: number;
}

/** Looks again this often while the console is open (a cheap, indexed count and one page). */
const REFRESH_MS = 60_000;

/** Where a notification leads: the page where one acts on it. */
function hrefOf(n: Notification, kind: string): string {
  switch (n.kind) {
    case 'invitation-accepted':
      return n.data.tenantId ? `/customers/${n.data.tenantId}` : '/customers';
    case 'plan-needs-acknowledgment':
    case 'step-failed':
      return n.data.transitionId ? `/transitions/${n.data.transitionId}` : '/planner';
    case 'transfer-waiting':
      return '/transfers';
    case 'gdap-expiring':
      return n.data.tenantId ? `/customers/${n.data.tenantId}` : '/customers';
    case 'credit-decided':
      return kind === 'customer' ? '/tenant/credits' : '/billing';
    case 'invoice-ready':
      return '/billing';
  }
}

/** The bell in the top bar: the unread count, and the list with what each one is about. */
export function NotificationBell() {
  const { t } = useTranslation();
  const fmt = useFormat();
  const { user } = useSession();
  const [page, setPage] = useState<NotificationPage | null>(null);
  const [open, setOpen] = useState(false);
  const panelId = useId();
  const root = useRef<HTMLDivElement>(null);

  const load = useCallback(async () => {
    try {
      setPage(await api<NotificationPage>('/api/notifications', { query: { limit: 20 } }));
    } catch {
      // The bell is a convenience: a failed look leaves the last count, the next one tries again.
    }
  }, []);

  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [load]);

  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') setOpen(false);
    };
    const onClick = (e: MouseEvent) => {
      if (root.current && !root.current.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('keydown', onKey);
    document.addEventListener('mousedown', onClick);
    return () => {
      document.removeEventListener('keydown', onKey);
      document.removeEventListener('mousedown', onClick);
    };
  }, [open]);

  if (!user) return null;
  const unread = page?.unreadCount ?? 0;

  const markRead = async (n: Notification) => {
    if (n.readAt) return;
    try {
      await api(`/api/notifications/${n.id}/read`, { method: 'POST' });
    } finally {
      void load();
    }
  };
  const markAll = async () => {
    try {
      await api('/api/notifications/read-all', { method: 'POST' });
    } finally {
      void load();
    }
  };

  return (
    <div className="notifications" ref={root}>
      <button
        type="button"
        className="secondary bell"
        aria-expanded={open}
        aria-controls={panelId}
        aria-label={t('notifications.bell', { count: unread })}
        data-testid="notification-bell"
        onClick={() => {
          setOpen(!open);
          if (!open) void load();
        }}
      >
        <svg aria-hidden="true" focusable="false" width="18" height="18" viewBox="0 0 24 24">
          <path
            fill="currentColor"
            d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2Z"
          />
        </svg>
        {unread > 0 && (
          <span className="badge" data-testid="notification-count" aria-hidden="true">
            {unread > 99 ? '99+' : fmt.number(unread)}
          </span>
        )}
      </button>
      {open && (
        <section id={panelId} className="notification-panel" aria-label={t('notifications.title')}>
          <header>
            <h2>{t('notifications.title')}</h2>
            {unread > 0 && (
              <button type="button" className="secondary mark-all" onClick={() => void markAll()}>
                {t('notifications.markAllRead')}
              </button>
            )}
          </header>
          {page && page.items.length === 0 ? (
            <p className="muted">{t('notifications.empty')}</p>
          ) : (
            <ul className="notification-list">
              {page?.items.map((n) => (
                <li key={n.id} className={n.readAt ? 'read' : 'unread'} data-testid="notification">
                  <Link
                    href={hrefOf(n, user.kind)}
                    onClick={() => {
                      void markRead(n);
                      setOpen(false);
                    }}
                  >
                    {t(`notifications.kind.${n.kind}`, {
                      customer: n.data.tenantName ?? t('notifications.aCustomer'),
                      partner: n.data.partnerName ?? t('notifications.aPartner'),
                      number: n.data.number ?? '',
                      decision: n.data.decision ? t(`notifications.decision.${n.data.decision}`) : '',
                      date: fmt.date(n.data.expiresAt),
                    })}
                  </Link>
                  <time dateTime={n.createdAt}>{fmt.dateTime(n.createdAt)}</time>
                  {!n.readAt && <span className="sr-only">{t('notifications.unread')}</span>}
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
    </div>
  );
}
