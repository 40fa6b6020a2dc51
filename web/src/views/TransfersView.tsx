import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, type Transfer } from '../api.ts';
import { ErrorAlert, Loading, Notice } from '../components/Alert.tsx';
import { ConfirmDialog } from '../components/ConfirmDialog.tsx';
import { StatusBadge } from '../components/Status.tsx';
import { useFormat } from '../format.ts';
import { useAction, useLoad } from '../hooks.ts';
import { Link } from '../router.tsx';
import { useSession } from '../session.tsx';
import { allPages } from './common.ts';

/** The subscriptions of a transfer: offer, seats, end date and what became of each. */
export function TransferLines({
  transfer,
  chosen,
  onToggle,
}: {
  transfer: Transfer;
  chosen?: Set<string>;
  onToggle?: (id: string) => void;
}) {
  const { t } = useTranslation();
  const f = useFormat();
  return (
    <table>
      <caption className="sr-only">{t('transfers.linesCaption')}</caption>
      <thead>
        <tr>
          {onToggle && <th scope="col">{t('transfers.give')}</th>}
          <th scope="col">{t('transfers.offer')}</th>
          <th scope="col">{t('transfers.seats')}</th>
          <th scope="col">{t('transfers.termEnd')}</th>
          <th scope="col">{t('transfers.lineStatus')}</th>
        </tr>
      </thead>
      <tbody>
        {transfer.lineItems.map((l) => (
          <tr key={l.subscriptionId}>
            {onToggle && (
              <td>
                <input
                  type="checkbox"
                  aria-label={t('transfers.giveOne', { offer: l.offerName ?? l.subscriptionId })}
                  checked={chosen?.has(l.subscriptionId) ?? false}
                  onChange={() => onToggle(l.subscriptionId)}
                />
              </td>
            )}
            <td>{l.offerName ?? l.subscriptionId}</td>
            <td>{l.quantity ?? '—'}</td>
            <td>{f.date(l.termEnd)}</td>
            <td>
              <StatusBadge status={l.status} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** One request asked of this partner: give some or all of the subscriptions, or refuse. */
function Incoming({ transfer, onDone }: { transfer: Transfer; onDone: () => void }) {
  const { t } = useTranslation();
  const f = useFormat();
  const { can } = useSession();
  const [chosen, setChosen] = useState(() => new Set(transfer.lineItems.map((l) => l.subscriptionId)));
  const [asking, setAsking] = useState<'approve' | 'reject' | null>(null);
  const decide = useAction((key: string, what: 'approve' | 'reject') =>
    api<Transfer>(`/api/transfers/${encodeURIComponent(transfer.id)}/${what}`, {
      method: 'POST',
      idempotencyKey: key,
      ...(what === 'approve' ? { body: { subscriptionIds: [...chosen] } } : {}),
    }),
  );
  const open = transfer.status === 'pending' && can('transfers.decide');
  const toggle = (id: string) =>
    setChosen((prev) => {
      const next = new Set(prev);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  return (
    <article className="card stack" aria-labelledby={`tr-${transfer.id}`}>
      <h3 id={`tr-${transfer.id}`}>
        {t('transfers.incomingTitle', { partner: transfer.targetPartnerName, customer: transfer.tenantName })}{' '}
        <StatusBadge status={transfer.status} />
      </h3>
      <p className="muted">
        {transfer.status === 'pending'
          ? t('transfers.expiresOn', { date: f.date(transfer.expiresAt) })
          : t('transfers.decidedOn', { date: f.date(transfer.decidedAt) })}
      </p>
      <TransferLines transfer={transfer} {...(open ? { chosen, onToggle: toggle } : {})} />
      {open && (
        <div className="row">
          <button type="button" disabled={chosen.size === 0} onClick={() => setAsking('approve')}>
            {t('transfers.approve', { count: chosen.size })}
          </button>
          <button type="button" className="secondary" onClick={() => setAsking('reject')}>
            {t('transfers.reject')}
          </button>
        </div>
      )}
      {asking && (
        <ConfirmDialog
          title={
            asking === 'approve' ? t('transfers.confirmApproveTitle') : t('transfers.confirmRejectTitle')
          }
          confirmLabel={
            asking === 'approve' ? t('transfers.approve', { count: chosen.size }) : t('transfers.reject')
          }
          tone={asking === 'approve' ? 'warn' : 'primary'}
          pending={decide.pending}
          error={decide.error}
          onCancel={() => setAsking(null)}
          onConfirm={async () => {
            if (await decide.run(asking)) {
              setAsking(null);
              onDone();
            }
          }}
        >
          <p>
            {asking === 'approve'
              ? t('transfers.confirmApproveText', { partner: transfer.targetPartnerName, count: chosen.size })
              : t('transfers.confirmRejectText', { partner: transfer.targetPartnerName })}
          </p>
        </ConfirmDialog>
      )}
    </article>
  );
}

export function TransfersView() {
  const { t } = useTranslation();
  const f = useFormat();
  const list = useLoad(() => allPages<Transfer>('/api/transfers'), []);
  const [decided, setDecided] = useState(false);
  const incoming = (list.data ?? []).filter((x) => x.direction === 'incoming');
  const outgoing = (list.data ?? []).filter((x) => x.direction === 'outgoing');
  return (
    <section>
      <h1>{t('transfers.title')}</h1>
      <p className="muted">{t('transfers.intro')}</p>
      <ErrorAlert error={list.error} />
      {list.loading && !list.data && <Loading />}
      {decided && <Notice>{t('transfers.decided')}</Notice>}
      <h2>{t('transfers.incoming')}</h2>
      {list.data && incoming.length === 0 && <p>{t('transfers.noneIncoming')}</p>}
      {incoming.map((x) => (
        <Incoming
          key={x.id}
          transfer={x}
          onDone={() => {
            setDecided(true);
            list.reload();
          }}
        />
      ))}
      <h2>{t('transfers.outgoing')}</h2>
      {list.data && outgoing.length === 0 && <p>{t('transfers.noneOutgoing')}</p>}
      {outgoing.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">{t('transfers.customer')}</th>
              <th scope="col">{t('transfers.from')}</th>
              <th scope="col">{t('transfers.subscriptions')}</th>
              <th scope="col">{t('transfers.status')}</th>
              <th scope="col">{t('transfers.expiresAt')}</th>
            </tr>
          </thead>
          <tbody>
            {outgoing.map((x) => (
              <tr key={x.id}>
                <td>
                  <Link href={`/customers/${encodeURIComponent(x.tenantId)}`}>{x.tenantName}</Link>
                  {x.transitionId && (
                    <>
                      {' · '}
                      <Link href={`/transitions/${encodeURIComponent(x.transitionId)}`}>
                        {t('transfers.transition')}
                      </Link>
                    </>
                  )}
                </td>
                <td>{x.sourcePartnerName}</td>
                <td>
                  {x.lineItems
                    .map((l) => `${l.offerName ?? l.subscriptionId} (${l.quantity ?? '—'})`)
                    .join(', ')}
                </td>
                <td>
                  <StatusBadge status={x.status} />
                </td>
                <td>{f.date(x.expiresAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** The customer's admin sees every transfer of its tenant's subscriptions (SPEC §7). */
export function TenantTransfersView() {
  const { t } = useTranslation();
  const f = useFormat();
  const list = useLoad(() => allPages<Transfer>('/api/tenant/transfers'), []);
  return (
    <section>
      <h1>{t('transfers.tenantTitle')}</h1>
      <p className="muted">{t('transfers.tenantIntro')}</p>
      <ErrorAlert error={list.error} />
      {list.loading && !list.data && <Loading />}
      {list.data && list.data.length === 0 && <p>{t('transfers.none')}</p>}
      {(list.data ?? []).map((x) => (
        <article key={x.id} className="card stack" aria-labelledby={`ttr-${x.id}`}>
          <h2 id={`ttr-${x.id}`}>
            {t('transfers.tenantItem', { from: x.sourcePartnerName, to: x.targetPartnerName })}{' '}
            <StatusBadge status={x.status} />
          </h2>
          <p className="muted">
            {x.status === 'pending'
              ? t('transfers.expiresOn', { date: f.date(x.expiresAt) })
              : t('transfers.decidedOn', { date: f.date(x.decidedAt) })}
          </p>
          <TransferLines transfer={x} />
        </article>
      ))}
    </section>
  );
}
