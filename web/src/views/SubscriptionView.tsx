import { type FormEvent, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  ApiError,
  api,
  type ChangedSubscription,
  type Customer,
  newIdempotencyKey,
  type Page,
  type Subscription,
  type SubscriptionHistoryEntry,
  type UpgradeOptions,
} from '../api.ts';
import { ErrorAlert, Loading, Notice } from '../components/Alert.tsx';
import { AutoRenewConfirmation } from '../components/AutoRenewConfirmation.tsx';
import { ConfirmDialog } from '../components/ConfirmDialog.tsx';
import { NumberField, useNumberField } from '../components/NumberField.tsx';
import { StatusBadge } from '../components/Status.tsx';
import { useFormat } from '../format.ts';
import { useAction, useLoad } from '../hooks.ts';
import { Link } from '../router.tsx';
import { useSession } from '../session.tsx';

type Pending =
  | { kind: 'seats'; quantity: number }
  | { kind: 'autoRenew'; on: boolean }
  | { kind: 'status'; status: 'suspended' | 'active' | 'cancelled' }
  | { kind: 'upgrade'; offerId: string; quantity: number }
  | null;

/** One subscription: seats, term, billing, auto-renew, status, its change window and history. */
export function SubscriptionView({ tenantId, id }: { tenantId: string; id: string }) {
  const { t } = useTranslation();
  const f = useFormat();
  const { can } = useSession();
  const customerBase = `/api/customers/${encodeURIComponent(tenantId)}`;
  const base = `${customerBase}/subscriptions/${encodeURIComponent(id)}`;
  const customer = useLoad(() => api<Customer>(customerBase), [customerBase]);
  const sub = useLoad(() => api<Subscription>(base), [base]);
  const history = useLoad(() => api<Page<SubscriptionHistoryEntry>>(`${base}/history`), [base]);
  const [done, setDone] = useState<string | null>(null);
  const reload = (message: string | null) => {
    setDone(message);
    sub.reload();
    history.reload();
  };

  if (sub.error && !sub.data) {
    return (
      <section>
        <h1>{t('subscription.notFound')}</h1>
        <ErrorAlert error={sub.error} />
        <Link href={`/customers/${encodeURIComponent(tenantId)}`}>{t('subscription.backToCustomer')}</Link>
      </section>
    );
  }
  if (!sub.data) return <Loading />;
  const s = sub.data;
  const manage = can('subscriptions.manage') && s.canChange === true;
  const open = s.status === 'active' || s.status === 'suspended';
  return (
    <section>
      <p className="breadcrumb">
        <Link href="/customers">{t('nav.customers')}</Link> ›{' '}
        <Link href={`/customers/${encodeURIComponent(tenantId)}`}>
          {customer.data?.companyName ?? t('subscription.customer')}
        </Link>
      </p>
      <h1>{s.offerName ?? s.offerId}</h1>
      {done && <Notice testId="subscription-done">{done}</Notice>}
      <dl
        className="details"
        data-testid="subscription-details"
        data-status={s.status}
        data-quantity={s.quantity}
        data-auto-renew={String(s.autoRenew)}
        data-offer-id={s.offerId}
      >
        <dt>{t('subscription.offer')}</dt>
        <dd>{s.offerName ?? s.offerId}</dd>
        <dt>{t('subscription.seats')}</dt>
        <dd data-testid="subscription-seats">
          {t('subscription.seatsValue', {
            quantity: f.number(s.quantity),
            assigned: f.number(s.assignedSeats),
            available: f.number(Math.max(0, s.quantity - s.assignedSeats)),
          })}
        </dd>
        <dt>{t('subscription.term')}</dt>
        <dd>
          {t(`terms.${s.term}`, { defaultValue: s.term ?? '' })} ·{' '}
          {t(`billingCycles.${s.billingCycle}`, { defaultValue: s.billingCycle })}
        </dd>
        <dt>{t('subscription.termDates')}</dt>
        <dd>
          {f.date(s.termStart)} – {f.date(s.termEnd)}
        </dd>
        <dt>{t('subscription.price')}</dt>
        <dd>{s.unitPrice != null ? f.money(s.unitPrice, s.currency) : '—'}</dd>
        <dt>{t('subscriptions.autoRenew')}</dt>
        <dd data-testid="subscription-auto-renew">{s.autoRenew ? t('common.on') : t('common.off')}</dd>
        <dt>{t('subscriptions.status')}</dt>
        <dd>
          <StatusBadge status={s.status} />
        </dd>
        <dt>{t('subscriptions.channel')}</dt>
        <dd>{t(`channels.${s.channel}`, { defaultValue: s.channel })}</dd>
        <dt>{t('subscription.window')}</dt>
        <dd data-testid="subscription-window" data-open={String(s.refundWindow?.isOpen ?? false)}>
          {s.refundWindow && s.refundWindow.hours > 0
            ? s.refundWindow.isOpen
              ? t('subscription.windowOpen', {
                  hours: s.refundWindow.hours,
                  date: f.dateTime(s.refundWindow.endsAt),
                })
              : t('subscription.windowClosed', {
                  hours: s.refundWindow.hours,
                  date: f.dateTime(s.refundWindow.endsAt),
                })
            : t('subscription.windowNone')}
        </dd>
      </dl>
      {manage && open && (
        // Remounted after an upgrade, so its options and fields start from the new offer.
        <Actions key={s.offerId} base={base} s={s} onDone={reload} />
      )}
      {!manage && can('subscriptions.manage') && <p className="muted">{t('subscription.notYours')}</p>}
      <section aria-labelledby="history-h">
        <h2 id="history-h">{t('subscription.history')}</h2>
        <ErrorAlert error={history.error} />
        {history.data ? <HistoryTable items={history.data.items} currency={s.currency} /> : <Loading />}
      </section>
    </section>
  );
}

function Actions({
  base,
  s,
  onDone,
}: {
  base: string;
  s: Subscription;
  onDone: (message: string | null) => void;
}) {
  const { t } = useTranslation();
  const f = useFormat();
  const seats = useNumberField(String(s.quantity), { min: 1, max: 1_000_000, maxFractionDigits: 0 });
  const [pending, setPending] = useState<Pending>(null);
  const options = useLoad(() => api<UpgradeOptions>(`${base}/upgrade-options`), [base]);
  const [target, setTarget] = useState('');
  const upgradeSeats = useNumberField(String(s.quantity), {
    min: s.quantity,
    max: 1_000_000,
    maxFractionDigits: 0,
  });
  const change = useAction((_key: string, body: Record<string, unknown>) =>
    api<ChangedSubscription>(base, { method: 'PATCH', body }),
  );
  // One key per intended upgrade: a double click or a retry converts once.
  const upgradeKey = useRef<string | null>(null);
  const upgrade = useAction(async (_key: string, body: Record<string, unknown>) => {
    upgradeKey.current ??= newIdempotencyKey();
    try {
      return await api<Subscription>(`${base}/upgrade`, {
        method: 'POST',
        idempotencyKey: upgradeKey.current,
        body,
      });
    } catch (e) {
      if (e instanceof ApiError && e.status >= 400 && e.status < 500 && e.status !== 429)
        upgradeKey.current = null;
      throw e;
    }
  });
  const windowOpen = s.refundWindow?.isOpen ?? false;

  const submitSeats = (e: FormEvent) => {
    e.preventDefault();
    const q = seats.read();
    if (q === null || q === s.quantity) return;
    setPending({ kind: 'seats', quantity: q });
  };
  const chosen = options.data?.items.find((o) => o.offerId === (target || options.data?.items[0]?.offerId));
  const submitUpgrade = (e: FormEvent) => {
    e.preventDefault();
    const q = upgradeSeats.read();
    if (q === null || !chosen) return;
    setPending({ kind: 'upgrade', offerId: chosen.offerId, quantity: q });
  };
  const confirm = async () => {
    if (!pending) return;
    if (pending.kind === 'upgrade') {
      const r = await upgrade.run({ targetOfferId: pending.offerId, quantity: pending.quantity });
      if (r) {
        upgradeKey.current = null;
        setPending(null);
        onDone(t('subscription.upgraded', { offer: r.offerName ?? r.offerId }));
      }
      return;
    }
    const body =
      pending.kind === 'seats'
        ? { quantity: pending.quantity }
        : pending.kind === 'status'
          ? { status: pending.status }
          : { autoRenew: pending.on };
    const r = await change.run(body);
    if (r) {
      setPending(null);
      onDone(
        r.amountRefunded > 0
          ? t('subscription.changedRefund', { amount: f.money(r.amountRefunded, r.currency) })
          : t('subscription.changed'),
      );
    }
  };
  const cancelDialog = () => {
    setPending(null);
    change.clearError();
    upgrade.clearError();
  };

  return (
    <section aria-labelledby="actions-h">
      <h2 id="actions-h">{t('subscription.actions')}</h2>
      <div className="grid-2">
        <form className="stack" onSubmit={submitSeats} aria-labelledby="seats-h">
          <h3 id="seats-h">{t('subscription.changeSeats')}</h3>
          <p className="muted small" data-testid="seat-rule">
            {windowOpen
              ? t('subscription.seatRuleOpen', { hours: s.refundWindow?.hours ?? 0 })
              : t('subscription.seatRuleClosed', { hours: s.refundWindow?.hours ?? 0 })}
          </p>
          <NumberField
            id="sub-seats"
            label={t('subscription.newSeats')}
            field={seats}
            decimal={false}
            required
          />
          {pending === null && <ErrorAlert error={change.error} />}
          <button type="submit">{t('subscription.saveSeats')}</button>
        </form>
        <div className="stack">
          <h3>{t('subscription.lifecycle')}</h3>
          <div className="row">
            <button
              type="button"
              className="secondary"
              onClick={() => setPending({ kind: 'autoRenew', on: !s.autoRenew })}
            >
              {s.autoRenew ? t('subscription.autoRenewOff') : t('subscription.autoRenewOn')}
            </button>
            {s.status === 'active' ? (
              <button
                type="button"
                className="secondary"
                onClick={() => setPending({ kind: 'status', status: 'suspended' })}
              >
                {t('subscription.suspend')}
              </button>
            ) : (
              <button
                type="button"
                className="secondary"
                onClick={() => setPending({ kind: 'status', status: 'active' })}
              >
                {t('subscription.reactivate')}
              </button>
            )}
            {windowOpen && (
              <button
                type="button"
                className="danger"
                onClick={() => setPending({ kind: 'status', status: 'cancelled' })}
              >
                {t('subscription.cancel')}
              </button>
            )}
          </div>
          {!windowOpen && <p className="muted small">{t('subscription.cancelClosed')}</p>}
        </div>
      </div>
      {s.status === 'active' && (
        <form className="stack section-gap" onSubmit={submitUpgrade} aria-labelledby="upgrade-h">
          <h3 id="upgrade-h">{t('subscription.upgrade')}</h3>
          <ErrorAlert error={options.error} />
          {options.data && options.data.items.length === 0 && (
            <p data-testid="upgrade-none">{t('subscription.upgradeNone')}</p>
          )}
          {options.data && options.data.items.length > 0 && (
            <>
              <p className="muted small">{t('subscription.upgradeRule')}</p>
              <div className="field">
                <label htmlFor="upgrade-target">{t('subscription.upgradeTo')}</label>
                <select
                  id="upgrade-target"
                  value={chosen?.offerId ?? ''}
                  onChange={(e) => setTarget(e.target.value)}
                >
                  {options.data.items.map((o) => (
                    <option key={o.offerId} value={o.offerId}>
                      {o.name} · {f.money(o.unitPrice, o.currency)}
                    </option>
                  ))}
                </select>
              </div>
              <NumberField
                id="upgrade-seats"
                label={t('subscription.upgradeSeats')}
                field={upgradeSeats}
                decimal={false}
                required
              />
              <button type="submit">{t('subscription.upgradeReview')}</button>
            </>
          )}
        </form>
      )}
      {pending?.kind === 'autoRenew' && (
        <AutoRenewConfirmation
          path={base}
          subscription={s}
          turnOn={pending.on}
          onDone={() => {
            setPending(null);
            onDone(t('subscription.changed'));
          }}
          onCancel={cancelDialog}
        />
      )}
      {pending && pending.kind !== 'autoRenew' && (
        <ConfirmDialog
          title={
            pending.kind === 'seats'
              ? t('subscription.confirmSeatsTitle')
              : pending.kind === 'upgrade'
                ? t('subscription.confirmUpgradeTitle')
                : t(`subscription.confirmStatus.${pending.status}`)
          }
          confirmLabel={t('confirm.confirm')}
          tone={pending.kind === 'status' && pending.status === 'cancelled' ? 'danger' : 'primary'}
          onConfirm={confirm}
          onCancel={cancelDialog}
          pending={change.pending || upgrade.pending}
          error={pending.kind === 'upgrade' ? upgrade.error : change.error}
          testId="subscription-confirmation"
        >
          {pending.kind === 'seats' && (
            <p>
              {pending.quantity > s.quantity
                ? t('subscription.confirmSeatsUp', {
                    from: f.number(s.quantity),
                    to: f.number(pending.quantity),
                  })
                : t('subscription.confirmSeatsDown', {
                    from: f.number(s.quantity),
                    to: f.number(pending.quantity),
                  })}
            </p>
          )}
          {pending.kind === 'status' && <p>{t(`subscription.confirmStatusText.${pending.status}`)}</p>}
          {pending.kind === 'upgrade' && chosen && (
            <dl className="details" data-testid="upgrade-estimate">
              <dt>{t('subscription.upgradeTo')}</dt>
              <dd>{chosen.name}</dd>
              <dt>{t('subscription.upgradeCredit')}</dt>
              <dd>{f.money(chosen.estimate.credit, chosen.currency)}</dd>
              <dt>{t('subscription.upgradeCharge')}</dt>
              <dd>
                {f.money(
                  Math.round((chosen.estimate.charge * pending.quantity) / Math.max(1, s.quantity)),
                  chosen.currency,
                )}
              </dd>
            </dl>
          )}
        </ConfirmDialog>
      )}
    </section>
  );
}

function HistoryTable({ items, currency }: { items: SubscriptionHistoryEntry[]; currency?: string | null }) {
  const { t } = useTranslation();
  const f = useFormat();
  if (items.length === 0) return <p>{t('subscription.historyNone')}</p>;
  const what = (h: SubscriptionHistoryEntry) => {
    const parts: string[] = [];
    if (h.offer) parts.push(t('subscription.historyOffer'));
    if (h.quantity)
      parts.push(
        h.quantity.from !== undefined
          ? t('subscription.historySeats', { from: f.number(h.quantity.from), to: f.number(h.quantity.to) })
          : t('subscription.historySeatsTo', { to: f.number(h.quantity.to) }),
      );
    if (h.autoRenew !== undefined)
      parts.push(h.autoRenew ? t('subscription.historyAutoRenewOn') : t('subscription.historyAutoRenewOff'));
    if (h.status) parts.push(t('subscription.historyStatus', { status: t(`status.${h.status}`) }));
    if (h.amountRefunded)
      parts.push(t('subscription.historyRefund', { amount: f.money(h.amountRefunded, currency) }));
    return parts.join(' · ') || '—';
  };
  return (
    <table data-testid="subscription-history">
      <caption className="sr-only">{t('subscription.history')}</caption>
      <thead>
        <tr>
          <th scope="col">{t('subscription.historyWhen')}</th>
          <th scope="col">{t('subscription.historyWho')}</th>
          <th scope="col">{t('subscription.historyAction')}</th>
          <th scope="col">{t('subscription.historyWhat')}</th>
        </tr>
      </thead>
      <tbody>
        {items.map((h) => (
          <tr key={h.id} data-testid="history-row" data-action={h.action}>
            <td>{f.dateTime(h.at)}</td>
            <td>{h.actorEmail ?? t('subscription.historySystem')}</td>
            <td>
              {t(`subscription.historyActions.${h.action}`, {
                defaultValue: t('subscription.historyActions.other'),
              })}
            </td>
            <td>{what(h)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
