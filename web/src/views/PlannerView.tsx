import { type FormEvent, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  type Acknowledgment,
  api,
  type Customer,
  type Page,
  type PlanLine,
  type Transition,
  type TransitionSummary,
} from '../api.ts';
import { ErrorAlert, Loading } from '../components/Alert.tsx';
import { ApplyConfirmation } from '../components/ApplyConfirmation.tsx';
import { CustomerPicker } from '../components/CustomerPicker.tsx';
import { PlanDetails, planVerdict } from '../components/PlanDetails.tsx';
import { StatusBadge } from '../components/Status.tsx';
import { useFormat } from '../format.ts';
import { useAction, useLoad } from '../hooks.ts';
import { Link, navigate, useLocation } from '../router.tsx';
import { useSession } from '../session.tsx';
import { loadOfferNames } from './common.ts';

type Disposition = 'let-expire' | 'cancel-now';
type Quantity = 'same' | 'assigned';
/** When to buy the targets: each line's cheaper option (recommended), or one choice for all. */
type Provision = 'recommended' | 'now' | 'before-end';
type LineProvision = { sourceSubscriptionId: string; provision: 'now' | 'before-end' };

export function PlannerView() {
  const { t } = useTranslation();
  const f = useFormat();
  const { can } = useSession();
  const loc = useLocation();
  const names = useLoad(() => loadOfferNames(), []);
  const [tenantId, setTenantId] = useState(loc.search.get('customer') ?? '');
  // The customer picked (the one in the address, else the first by name): the picker searches the
  // server as one types, so a book of any size is never loaded whole.
  const customers = useLoad(async () => {
    const id = loc.search.get('customer');
    if (id) return [await api<Customer>(`/api/customers/${encodeURIComponent(id)}`)];
    return (await api<Page<Customer>>('/api/customers', { query: { sort: 'companyName', limit: 1 } })).items;
  }, []);
  const [selected, setSelected] = useState<Customer | null>(null);
  useEffect(() => {
    if (!selected && customers.data?.[0]) setSelected(customers.data[0]);
  }, [customers.data, selected]);
  const [disposition, setDisposition] = useState<Disposition>('let-expire');
  const [quantity, setQuantity] = useState<Quantity>('same');
  const [provision, setProvision] = useState<Provision>('recommended');
  const [acks, setAcks] = useState<Acknowledgment[]>([]);
  /** When to buy, chosen line by line (wins over the plan-wide choice). */
  const [lineProvision, setLineProvision] = useState<LineProvision[]>([]);
  const [plan, setPlan] = useState<Transition | null>(null);
  const [confirmApply, setConfirmApply] = useState(false);

  useEffect(() => {
    if (!tenantId && customers.data?.[0]) setTenantId(customers.data[0].id);
  }, [customers.data, tenantId]);

  const earlier = useLoad(
    () =>
      tenantId
        ? api<Page<TransitionSummary>>(`/api/customers/${encodeURIComponent(tenantId)}/transitions`, {
            query: { limit: 10 },
          })
        : Promise.resolve(null),
    [tenantId, plan?.id],
  );
  // A summary says only "ready": the ready ones are read in full to tell those that go ahead with
  // accepted data loss (at most one page of ten).
  const acceptedLoss = useLoad(async () => {
    const ready = earlier.data?.items.filter((s) => s.verdict === 'ready') ?? [];
    const plans = await Promise.all(
      ready.map((s) => api<Transition>(`/api/transitions/${encodeURIComponent(s.id)}`)),
    );
    return new Set(plans.filter((p) => planVerdict(p) === 'ready-with-data-loss').map((p) => p.id));
  }, [earlier.data]);

  const create = useAction(
    (key: string, acknowledgments: Acknowledgment[], perLine: LineProvision[] = lineProvision) =>
      api<Transition>(`/api/customers/${encodeURIComponent(tenantId)}/transitions`, {
        method: 'POST',
        idempotencyKey: key,
        body: {
          options: {
            disposition,
            quantity,
            acknowledgments,
            ...(provision === 'recommended' ? {} : { provision }),
            ...(perLine.length > 0 ? { lineProvision: perLine } : {}),
          },
        },
      }),
  );
  const apply = useAction(async (key: string, id: string) => {
    await api(`/api/transitions/${encodeURIComponent(id)}/apply`, { method: 'POST', idempotencyKey: key });
    return true;
  });

  const market = selected?.id === tenantId ? selected.country : undefined;
  const substitutes = [...(names.data?.byOffer.values() ?? [])].filter(
    (o) => o.kind === 'base' && o.status === 'available' && (!market || o.markets.includes(market)),
  );

  const choose = (c: Customer) => {
    const id = c.id;
    setSelected(c);
    setTenantId(id);
    setPlan(null);
    setConfirmApply(false);
    setAcks([]);
    setLineProvision([]);
    history.replaceState(null, '', `/planner?customer=${encodeURIComponent(id)}`);
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const p = await create.run(acks);
    if (p) setPlan(p);
  };

  const acknowledge = async (line: PlanLine, substituteOfferId: string, addOnOfferIds: string[]) => {
    const next = [
      ...acks.filter((a) => a.sourceSubscriptionId !== line.sourceSubscriptionId),
      { sourceSubscriptionId: line.sourceSubscriptionId, substituteOfferId, addOnOfferIds },
    ];
    setAcks(next);
    const p = await create.run(next);
    if (p) setPlan(p);
  };

  const pickProvision = async (line: PlanLine, when: 'now' | 'before-end') => {
    const next = [
      ...lineProvision.filter((p) => p.sourceSubscriptionId !== line.sourceSubscriptionId),
      { sourceSubscriptionId: line.sourceSubscriptionId, provision: when },
    ];
    setLineProvision(next);
    const p = await create.run(acks, next);
    if (p) setPlan(p);
  };

  // Nothing is ordered until the person confirms what the plan buys, at what price.
  const doApply = async () => {
    if (!plan) return;
    if (await apply.run(plan.id)) navigate(`/transitions/${encodeURIComponent(plan.id)}`);
  };

  return (
    <section>
      <h1>{t('planner.title')}</h1>
      <p className="muted">{t('planner.intro')}</p>
      <ErrorAlert error={customers.error ?? names.error} />
      {customers.loading && !customers.data && <Loading />}
      {customers.data && customers.data.length === 0 && <p>{t('planner.noCustomers')}</p>}
      {customers.data && customers.data.length > 0 && (
        <form className="card toolbar" onSubmit={submit}>
          <CustomerPicker
            id="planner-customer"
            label={t('planner.customer')}
            value={selected}
            onChange={choose}
          />
          <div className="field">
            <label htmlFor="planner-disposition">{t('planner.oldSubscriptions')}</label>
            <select
              id="planner-disposition"
              value={disposition}
              onChange={(e) => setDisposition(e.target.value as Disposition)}
            >
              <option value="let-expire">{t('dispositions.let-expire')}</option>
              <option value="cancel-now">{t('dispositions.cancel-now')}</option>
            </select>
          </div>
          <div className="field">
            <label htmlFor="planner-quantity">{t('planner.quantity')}</label>
            <select
              id="planner-quantity"
              value={quantity}
              onChange={(e) => setQuantity(e.target.value as Quantity)}
            >
              <option value="same">{t('planner.quantitySame')}</option>
              <option value="assigned">{t('planner.quantityAssigned')}</option>
            </select>
          </div>
          <div className="field">
            <label htmlFor="planner-provision">{t('planner.whenToBuy')}</label>
            <select
              id="planner-provision"
              value={provision}
              onChange={(e) => setProvision(e.target.value as Provision)}
            >
              <option value="recommended">{t('planner.provisionRecommended')}</option>
              <option value="now">{t('provisions.now')}</option>
              <option value="before-end">{t('provisions.before-end')}</option>
            </select>
          </div>
          <button type="submit" disabled={create.pending || !tenantId}>
            {t('planner.create')}
          </button>
        </form>
      )}
      {acks.length > 0 && <p className="muted">{t('planner.acknowledged', { count: acks.length })}</p>}
      <ErrorAlert error={create.error} />
      {create.pending && <Loading />}
      {plan && (
        <>
          <PlanDetails
            plan={plan}
            offers={names.data?.byOffer}
            skuNames={names.data?.bySku}
            onAcknowledge={
              can('transitions.plan') ? (l, sub, adds) => void acknowledge(l, sub, adds) : undefined
            }
            substitutes={substitutes}
            onProvision={can('transitions.plan') ? (l, when) => void pickProvision(l, when) : undefined}
            acknowledging={create.pending}
          />
          {can('transitions.apply') && (
            <div className="card stack">
              {plan.verdict !== 'ready' && <p>{t('planner.applyNeedsReady')}</p>}
              <button
                type="button"
                onClick={() => {
                  apply.clearError();
                  setConfirmApply(true);
                }}
                disabled={plan.verdict !== 'ready' || apply.pending}
              >
                {t('planner.apply')}
              </button>
              {confirmApply && (
                <ApplyConfirmation
                  plan={plan}
                  onConfirm={() => void doApply()}
                  onCancel={() => setConfirmApply(false)}
                  pending={apply.pending}
                  error={apply.error}
                />
              )}
            </div>
          )}
        </>
      )}
      {earlier.data && earlier.data.items.length > 0 && (
        <section aria-labelledby="earlier-h">
          <h2 id="earlier-h">{t('planner.earlier')}</h2>
          <table>
            <caption className="sr-only">{t('planner.earlier')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('planner.plannedAt')}</th>
                <th scope="col">{t('planner.verdict')}</th>
                <th scope="col">{t('planner.status')}</th>
                <th scope="col">{t('planner.lines')}</th>
              </tr>
            </thead>
            <tbody>
              {earlier.data.items.map((s) => (
                <tr key={s.id} data-testid="transition-row" data-status={s.status} data-verdict={s.verdict}>
                  <td>
                    <Link href={`/transitions/${encodeURIComponent(s.id)}`}>{f.dateTime(s.plannedAt)}</Link>
                  </td>
                  <td>
                    <StatusBadge status={acceptedLoss.data?.has(s.id) ? 'ready-with-data-loss' : s.verdict} />
                  </td>
                  <td>
                    <StatusBadge status={s.status} />
                  </td>
                  <td>{f.number(s.lines)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </section>
  );
}
