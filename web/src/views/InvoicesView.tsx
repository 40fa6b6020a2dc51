import { useTranslation } from 'react-i18next';
import { api, type Page } from '../api.ts';
import { ErrorAlert, Loading } from '../components/Alert.tsx';
import { CursorPager, useCursorPages } from '../components/ListTools.tsx';
import { StatusBadge } from '../components/Status.tsx';
import { useFormat } from '../format.ts';
import { useLoad } from '../hooks.ts';
import { Link } from '../router.tsx';
import { BillingShell } from './BillingView.tsx';
import { type Invoice, type InvoiceLine, useChargeType, useMonth, usePeriod } from './billing-common.tsx';

const PAGE = 50;

/** The partner's invoices, newest first: one per closed month and currency. */
export function InvoicesView() {
  const { t } = useTranslation();
  const f = useFormat();
  const month = useMonth();
  const pages = useCursorPages();
  const cursor = pages.cursor;
  const load = useLoad(
    () => api<Page<Invoice>>('/api/invoices', { query: { cursor, limit: PAGE } }),
    [cursor],
  );
  const data = load.data;
  return (
    <BillingShell section="invoices">
      <section aria-labelledby="invoices-title">
        <h2 id="invoices-title">{t('billing.invoices.title')}</h2>
        <p className="muted">{t('billing.invoices.intro')}</p>
        <ErrorAlert error={load.error} />
        {load.loading && !data && <Loading />}
        {data && data.items.length === 0 && <p>{t('billing.invoices.none')}</p>}
        {data && data.items.length > 0 && (
          <>
            <div className="table-wrap">
              <table data-testid="invoices">
                <caption className="sr-only">{t('billing.invoices.caption')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('billing.invoices.number')}</th>
                    <th scope="col">{t('billing.period')}</th>
                    <th scope="col">{t('billing.currency')}</th>
                    <th scope="col">{t('billing.total')}</th>
                    <th scope="col">{t('billing.invoices.status')}</th>
                  </tr>
                </thead>
                <tbody>
                  {data.items.map((i) => (
                    <tr key={i.id} data-testid="invoice-row" data-invoice-id={i.id}>
                      <td>
                        <Link href={`/billing/invoices/${encodeURIComponent(i.id)}`}>{i.number}</Link>
                      </td>
                      <td>{month(i.periodStart)}</td>
                      <td>{i.currency}</td>
                      <td>{f.money(i.total, i.currency)}</td>
                      <td>
                        <StatusBadge status={i.status} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <CursorPager pages={pages} nextCursor={data.nextCursor} />
          </>
        )}
      </section>
    </BillingShell>
  );
}

type InvoiceDetail = Invoice & { lines: Page<InvoiceLine> };

/** One invoice: its figures, its lines (paged) and its reconciliation file. */
export function InvoiceView({ invoiceId }: { invoiceId: string }) {
  const { t } = useTranslation();
  const f = useFormat();
  const month = useMonth();
  const chargeType = useChargeType();
  const period = usePeriod();
  const pages = useCursorPages();
  const cursor = pages.cursor;
  const load = useLoad(
    () =>
      api<InvoiceDetail>(`/api/invoices/${encodeURIComponent(invoiceId)}`, {
        query: { cursor, limit: PAGE },
      }),
    [invoiceId, cursor],
  );
  const inv = load.data;
  return (
    <BillingShell section="invoices">
      <p>
        <Link href="/billing/invoices">{t('billing.invoice.back')}</Link>
      </p>
      <ErrorAlert error={load.error} />
      {load.loading && !inv && <Loading />}
      {inv && (
        <section aria-labelledby="invoice-title" className="stack">
          <h2 id="invoice-title">{t('billing.invoice.title', { number: inv.number })}</h2>
          <dl className="details" data-testid="invoice-details">
            <dt>{t('billing.period')}</dt>
            <dd>{month(inv.periodStart)}</dd>
            <dt>{t('billing.currency')}</dt>
            <dd>{inv.currency}</dd>
            <dt>{t('billing.total')}</dt>
            <dd data-testid="invoice-total">{f.money(inv.total, inv.currency)}</dd>
            <dt>{t('billing.invoices.status')}</dt>
            <dd>
              <StatusBadge status={inv.status} />
            </dd>
            <dt>{t('billing.invoice.issuedAt')}</dt>
            <dd>{f.dateTime(inv.createdAt)}</dd>
            <dt>{t('billing.invoice.lineCount')}</dt>
            <dd>{f.number(inv.lineCount)}</dd>
          </dl>
          <p>
            {/* A plain link: the session cookie authenticates the GET, the answer is an attachment. */}
            <a
              className="button-link"
              href={`/api/invoices/${encodeURIComponent(inv.id)}/reconciliation`}
              download
              data-testid="reconciliation-download"
            >
              {t('billing.invoice.download')}
            </a>
          </p>
          <div className="table-wrap">
            <table data-testid="invoice-lines">
              <caption className="sr-only">{t('billing.invoice.linesCaption')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('billing.customer')}</th>
                  <th scope="col">{t('billing.product')}</th>
                  <th scope="col">{t('billing.chargeTypeColumn')}</th>
                  <th scope="col">{t('billing.period')}</th>
                  <th scope="col">{t('billing.quantity')}</th>
                  <th scope="col">{t('billing.cost')}</th>
                  <th scope="col">{t('billing.customerPrice')}</th>
                </tr>
              </thead>
              <tbody>
                {inv.lines.items.map((l) => (
                  <tr key={l.id} data-testid="invoice-line" data-charge-type={l.chargeType}>
                    <td>{l.customerName}</td>
                    <td>{l.productName ?? '—'}</td>
                    <td>{chargeType(l.chargeType)}</td>
                    <td>{period(l.chargeStartDate, l.chargeEndDate)}</td>
                    <td>{f.number(Number(l.billableQuantity))}</td>
                    <td>{f.money(l.total, l.currency)}</td>
                    <td>{f.money(l.customerSubtotal, l.currency)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {inv.lines.items.length === 0 && <p>{t('billing.invoice.noLines')}</p>}
          <p className="muted small">{t('billing.datesUtc')}</p>
          <CursorPager pages={pages} nextCursor={inv.lines.nextCursor} />
        </section>
      )}
    </BillingShell>
  );
}
