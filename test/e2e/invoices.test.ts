import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMonths, monthOf, RECONCILIATION_COLUMNS, seatSubtotal } from '../../src/domain/invoices.ts';
import {
  closeInvoicesNow,
  findInvoice,
  type NewBillingLine,
  reconciliationStream,
} from '../../src/modules/billing/index.ts';
import { tenantSummaries } from '../../src/modules/tenants/index.ts';
import { startTestApp, type TestApp } from '../fixtures/app.ts';
import { billingLine, insertLines } from '../fixtures/billing.ts';
import { EMBEDDED_NODE_FLAGS } from '../fixtures/node-flags.ts';

/**
 * Invoices end to end (SPEC §8, issue 19): lines written for the last months, the close (direct and
 * through the clock-driven job), the list, the detail with its lines, the reconciliation file
 * (columns exact, formula cells escaped, money in major units adding up to the invoice), and who
 * may see what.
 */
let t: TestApp;
let a: Awaited<ReturnType<TestApp['newPartner']>>;
let b: Awaited<ReturnType<TestApp['newPartner']>>;
let tenantA: Awaited<ReturnType<TestApp['newTenant']>>;
let tenantB: Awaited<ReturnType<TestApp['newTenant']>>;
let current: string;
const lines: NewBillingLine[] = [];
const FORMULA_PRODUCT = '=SUM(1+1)';

interface InvoiceJson {
  id: string;
  number: string;
  partnerId: string;
  periodStart: string;
  periodEnd: string;
  currency: string;
  total: number;
  status: string;
  lineCount: number;
  createdAt: string;
}
interface LineJson {
  id: string;
  subscriptionId: string | null;
  total: number;
  customerName: string;
  chargeType: string;
  billingMonth: string;
}
interface Paged<T> {
  items: T[];
  nextCursor: string | null;
}

/** The value, or the test fails here. */
function must<T>(x: T | undefined, what: string): T {
  if (x === undefined) throw new Error(`missing: ${what}`);
  return x;
}

const sumOf = (ls: NewBillingLine[]) => ls.reduce((s, l) => s + Number(l.total), 0);
const key = (partnerId: string, currency: string, month: string) => `${partnerId}|${currency}|${month}`;

/** Parses a CSV (RFC 4180, as src/platform/csv.ts writes it) into rows of cells. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += ch;
  }
  if (cell !== '' || row.length > 0) rows.push([...row, cell]);
  return rows;
}

/** "1234.56" (EUR) → 123456, from the text's digits (no float). */
const minorOf = (major: string) => Number(BigInt(major.replace('.', '')));

beforeAll(async () => {
  t = await startTestApp({}, { queue: true });
  a = await t.newPartner();
  b = await t.newPartner();
  tenantA = await t.newTenant({ partnerToken: a.tokens['account-admin'] });
  tenantB = await t.newTenant({ partnerToken: b.tokens['account-admin'] });
  current = monthOf(t.deps.clock.now());
  const m1 = addMonths(current, -1);
  const m2 = addMonths(current, -2);
  const specs = [
    // Partner A: two months in EUR, one in USD, and this month's (unbilled) lines.
    ...Array.from({ length: 7 }, () => ({
      partnerId: a.partner.id,
      tenantId: tenantA.tenant.id,
      currency: 'EUR',
      month: m2,
    })),
    ...Array.from({ length: 9 }, () => ({
      partnerId: a.partner.id,
      tenantId: tenantA.tenant.id,
      currency: 'EUR',
      month: m1,
    })),
    ...Array.from({ length: 4 }, () => ({
      partnerId: a.partner.id,
      tenantId: tenantA.tenant.id,
      currency: 'USD',
      month: m1,
    })),
    ...Array.from({ length: 3 }, () => ({
      partnerId: a.partner.id,
      tenantId: tenantA.tenant.id,
      currency: 'EUR',
      month: current,
    })),
    // Partner B: one month in EUR.
    ...Array.from({ length: 5 }, () => ({
      partnerId: b.partner.id,
      tenantId: tenantB.tenant.id,
      currency: 'EUR',
      month: m1,
    })),
  ];
  specs.forEach((s, n) => {
    const chargeType = (['new', 'renew', 'addQuantity', 'removeQuantity', 'cycleCharge', 'credit'] as const)[
      n % 6
    ];
    lines.push(billingLine({ ...s, chargeType, ...(n === 8 ? { productName: FORMULA_PRODUCT } : {}) }, n));
  });
  await insertLines(t.handle.db, lines, t.deps.clock.now());
}, 120_000);
afterAll(async () => t?.close());

const invoicesOf = async (token: string, query = '') => {
  const items: InvoiceJson[] = [];
  let cursor: string | null = null;
  do {
    const page: Paged<InvoiceJson> = await t.expectOk({
      url: `/api/invoices?limit=2${query}${cursor ? `&cursor=${cursor}` : ''}`,
      token,
    });
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
};

describe('the month close', () => {
  it('issues one invoice per partner, currency and earlier month, totals the sum of its lines; once', async () => {
    // The job closes at start too; whoever gets there first, the result is the same.
    await closeInvoicesNow({ handle: t.handle, config: t.config, log: t.deps.log });
    expect(await closeInvoicesNow({ handle: t.handle, config: t.config, log: t.deps.log })).toEqual([]);

    const expected = new Map<string, NewBillingLine[]>();
    for (const l of lines) {
      if (String(l.billing_month) >= current) continue;
      const k = key(l.partner_id, l.currency, String(l.billing_month));
      expected.set(k, [...(expected.get(k) ?? []), l]);
    }
    const rows = await t.handle.db.selectFrom('invoices').selectAll().execute();
    expect(rows.length).toBe(4);
    expect(expected.size).toBe(4);
    const listed = [
      ...(await invoicesOf(a.tokens['billing-agent'])),
      ...(await invoicesOf(b.tokens['billing-agent'])),
    ];
    expect(listed.length).toBe(4);
    for (const inv of listed) {
      const mine = expected.get(key(inv.partnerId, inv.currency, inv.periodStart));
      expect(mine, `${inv.number} ${inv.periodStart}`).toBeDefined();
      expect(inv.total).toBe(sumOf(mine!));
      expect(inv.lineCount).toBe(mine!.length);
      expect(inv.periodEnd).toBe(addMonths(inv.periodStart, 1));
      expect(inv.status).toBe('issued');
      expect(Object.keys(inv).sort()).toEqual(
        [
          'createdAt',
          'currency',
          'id',
          'lineCount',
          'number',
          'partnerId',
          'periodEnd',
          'periodStart',
          'status',
          'total',
        ].sort(),
      );
    }
    // Numbers: one sequence, no gaps.
    expect(listed.map((i) => i.number).sort()).toEqual([
      'TR-00000001',
      'TR-00000002',
      'TR-00000003',
      'TR-00000004',
    ]);
    // This month's lines stay unbilled.
    const unbilled = await t.handle.db
      .selectFrom('billing_lines')
      .select(['billing_month'])
      .where('invoice_id', 'is', null)
      .execute();
    expect(unbilled.length).toBe(3);
    // Each invoice goes out once as an `invoice.issued` event (notifications, webhooks).
    const events = await t.handle.db
      .selectFrom('outbox_events')
      .select(['payload'])
      .where('type', '=', 'invoice.issued')
      .execute();
    expect(events.length).toBe(4);
    expect(events.map((e) => (e.payload as { invoiceId: string }).invoiceId).sort()).toEqual(
      rows.map((r) => r.id).sort(),
    );
    for (const e of events) {
      const p = e.payload as { invoiceId: string; partnerId: string; number: string };
      expect(rows.find((r) => r.id === p.invoiceId)).toMatchObject({
        partner_id: p.partnerId,
        number: p.number,
      });
    }
  });

  it('lists a partner its own invoices only, newest period first, paged', async () => {
    const mine = await invoicesOf(a.tokens['account-admin']);
    expect(mine.length).toBe(3);
    expect(mine.every((i) => i.partnerId === a.partner.id)).toBe(true);
    const periods = mine.map((i) => i.periodStart);
    expect(periods).toEqual([...periods].sort().reverse());
    const usd = await invoicesOf(a.tokens['account-admin'], '&currency=USD');
    expect(usd.map((i) => i.currency)).toEqual(['USD']);
    const theirs = await invoicesOf(b.tokens['billing-agent']);
    expect(theirs.map((i) => i.partnerId)).toEqual([b.partner.id]);
  });

  it('shows an invoice with all its lines, paged, matching what was written', async () => {
    const inv = must(
      (await invoicesOf(a.tokens['billing-agent'], '&currency=EUR')).find(
        (i) => i.periodStart === addMonths(current, -1),
      ),
      "last month's EUR invoice",
    );
    const got: LineJson[] = [];
    let cursor: string | null = null;
    do {
      const page: InvoiceJson & { lines: Paged<LineJson> } = await t.expectOk({
        url: `/api/invoices/${inv.id}?limit=4${cursor ? `&cursor=${cursor}` : ''}`,
        token: a.tokens['billing-agent'],
      });
      expect(page.number).toBe(inv.number);
      got.push(...page.lines.items);
      cursor = page.lines.nextCursor;
    } while (cursor);
    const written = lines.filter(
      (l) =>
        l.partner_id === a.partner.id && l.currency === 'EUR' && l.billing_month === addMonths(current, -1),
    );
    expect(got.length).toBe(written.length);
    expect(new Set(got.map((l) => l.id)).size).toBe(got.length);
    expect(got.map((l) => l.subscriptionId).sort()).toEqual(written.map((l) => l.subscription_id).sort());
    expect(got.reduce((s, l) => s + l.total, 0)).toBe(inv.total);
    expect(got.every((l) => l.customerName === tenantA.tenant.companyName)).toBe(true);
    const credit = got.find((l) => l.chargeType === 'credit');
    expect(credit?.total).toBeLessThan(0);
  });

  it('answers the reconciliation file: the columns of SPEC §8, formula cells escaped, totals adding up', async () => {
    const inv = must(
      (await invoicesOf(a.tokens['billing-agent'], '&currency=EUR')).find(
        (i) => i.periodStart === addMonths(current, -1),
      ),
      "last month's EUR invoice",
    );
    const res = await t.app.inject({
      method: 'GET',
      url: `/api/invoices/${inv.id}/reconciliation`,
      headers: { authorization: `Bearer ${a.tokens['billing-agent']}` },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(String(res.headers['content-disposition'])).toContain(`${inv.number}-reconciliation.csv`);
    const rows = parseCsv(res.body);
    expect(rows[0]).toEqual([...RECONCILIATION_COLUMNS]);
    expect(res.body.split('\n')[0]).toBe(
      'PartnerId,CustomerId,CustomerName,CustomerDomainName,CustomerCountry,InvoiceNumber,MpnId,ResellerMpnId,OrderId,OrderDate,ProductId,SkuId,SkuName,ProductName,ChargeType,UnitPrice,EffectiveUnitPrice,UnitType,Quantity,BillableQuantity,Subtotal,TaxTotal,Total,Currency,ChargeStartDate,ChargeEndDate,SubscriptionId,SubscriptionDescription,TermAndBillingCycle,BillingFrequency,ReferenceId,CreditReasonCode',
    );
    const body = rows
      .slice(1)
      .map((r) => Object.fromEntries(RECONCILIATION_COLUMNS.map((c, i) => [c, r[i]!])));
    expect(body.length).toBe(inv.lineCount);
    expect(body.every((r) => r.InvoiceNumber === inv.number && r.Currency === 'EUR')).toBe(true);
    expect(body.every((r) => r.CustomerDomainName === tenantA.domain && r.CustomerCountry === 'ES')).toBe(
      true,
    );
    // The formula cell is neutralised with a leading quote, never written bare.
    expect(body.some((r) => r.ProductName === `'${FORMULA_PRODUCT}`)).toBe(true);
    expect(res.body).not.toMatch(/(^|,)=SUM/m);
    // Money: two decimals for EUR, adding up to the invoice's total; a seat line's subtotal is the
    // effective unit price times the billable seats, rounded down.
    expect(body.every((r) => /^-?\d+\.\d{2}$/.test(r.Total!))).toBe(true);
    expect(body.reduce((s, r) => s + minorOf(r.Total!), 0)).toBe(inv.total);
    for (const r of body)
      expect(minorOf(r.Subtotal!), r.SubscriptionId).toBe(
        seatSubtotal(minorOf(r.EffectiveUnitPrice!), r.BillableQuantity!),
      );
    const credit = body.find((r) => r.ChargeType === 'credit');
    expect(credit?.CreditReasonCode).toBe('DuplicateLicenses');
    expect(credit?.OrderDate).toBe('');
    const seat = body.find((r) => r.ChargeType === 'new');
    expect(seat?.OrderDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(seat?.TermAndBillingCycle).toMatch(/^One-Year commitment for (monthly|annual) billing$/);

    // The same bytes as the shared writer the CLI uses.
    const invoice = (await findInvoice(t.handle.db, inv.id))!;
    const chunks: Buffer[] = [];
    for await (const c of reconciliationStream(
      t.handle.db,
      invoice,
      (db, ids) => tenantSummaries({ db }, ids),
      {
        pageSize: 3,
      },
    ))
      chunks.push(Buffer.from(c));
    expect(Buffer.concat(chunks).toString('utf8')).toBe(res.body);

    // And `traslado invoices export` writes them too (a process needs the server database).
    if (t.kind === 'postgres') {
      const dir = mkdtempSync(join(tmpdir(), 'traslado-invoices-'));
      try {
        const out = join(dir, 'r.csv');
        const pool = t.handle.pool as unknown as { options: { connectionString: string } };
        const code = await new Promise<number | null>((resolve) => {
          const child = spawn(
            process.execPath,
            [
              ...EMBEDDED_NODE_FLAGS,
              'bin/traslado.js',
              'invoices',
              'export',
              '--invoice',
              inv.number,
              '--out',
              out,
            ],
            {
              cwd: new URL('../../', import.meta.url).pathname,
              env: { ...process.env, DATABASE_URL: pool.options.connectionString, LOG_LEVEL: 'warn' },
              stdio: 'ignore',
            },
          );
          child.once('exit', resolve);
        });
        expect(code).toBe(0);
        expect(readFileSync(out, 'utf8')).toBe(res.body);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  });

  it('bills a late line on the next invoice; the clock-driven job closes the month once the clock moves', async () => {
    const m1 = addMonths(current, -1);
    const late = billingLine(
      { partnerId: a.partner.id, tenantId: tenantA.tenant.id, currency: 'EUR', month: m1 },
      3,
    );
    await insertLines(t.handle.db, [late], t.deps.clock.now());
    // Last month's invoice exists already: the late line waits for the next close.
    expect(await closeInvoicesNow({ handle: t.handle, config: t.config, log: t.deps.log })).toEqual([]);

    const next = addMonths(current, 1);
    await t.expectOk({
      method: 'POST',
      url: '/api/admin/clock',
      token: t.operatorToken,
      body: { now: `${next}T00:30:00.000Z` },
    });
    let inv: InvoiceJson | undefined;
    for (let i = 0; i < 200 && !inv; i++) {
      inv = (await invoicesOf(a.tokens['account-admin'], '&currency=EUR')).find(
        (x) => x.periodStart === current,
      );
      if (!inv) await new Promise((r) => setTimeout(r, 100));
    }
    expect(inv, 'the job closed the month after the clock moved').toBeDefined();
    if (!inv) return;
    const mine = [
      ...lines.filter(
        (l) => l.partner_id === a.partner.id && l.currency === 'EUR' && l.billing_month === current,
      ),
      late,
    ];
    expect(inv.lineCount).toBe(mine.length);
    expect(inv.total).toBe(sumOf(mine));
    const detail = await t.expectOk({
      url: `/api/invoices/${inv.id}?limit=200`,
      token: a.tokens['account-admin'],
    });
    expect(detail.lines.items.map((l: LineJson) => l.billingMonth).sort()).toEqual([
      m1,
      current,
      current,
      current,
    ]);
    // Nothing unbilled is left, and no line sits on two invoices (one invoice_id column; all counted once).
    const left = await t.handle.db
      .selectFrom('billing_lines')
      .select('id')
      .where('invoice_id', 'is', null)
      .execute();
    expect(left).toEqual([]);
    const all = await t.handle.db.selectFrom('invoices').select(['total', 'line_count']).execute();
    expect(all.reduce((s, i) => s + Number(i.line_count), 0)).toBe(lines.length + 1);
    expect(all.reduce((s, i) => s + Number(i.total), 0)).toBe(sumOf([...lines, late]));
  });
});

describe('who sees invoices', () => {
  it('billing agents and account admins of the partner; other partners get 404; other roles 403', async () => {
    const inv = must((await invoicesOf(a.tokens['account-admin']))[0], 'an invoice of a');
    const urls = ['/api/invoices', `/api/invoices/${inv.id}`, `/api/invoices/${inv.id}/reconciliation`];
    const callers: [string, string | undefined, number | 'ok'][] = [
      ['a account-admin', a.tokens['account-admin'], 'ok'],
      ['a billing-agent', a.tokens['billing-agent'], 'ok'],
      ['a admin-agent', a.tokens['admin-agent'], 403],
      ['a sales-agent', a.tokens['sales-agent'], 403],
      ['tenant admin', tenantA.adminToken, 403],
      ['operator', t.operatorToken, 403],
      ['anonymous', undefined, 401],
    ];
    const failures: string[] = [];
    for (const url of urls)
      for (const [who, token, want] of callers) {
        const r = await t.call({ url, token });
        if (want === 'ok' ? r.status !== 200 : r.status !== want) failures.push(`${who} ${url}: ${r.status}`);
      }
    // Another partner's billing agent and account admin: the invoice does not exist for them.
    for (const token of [b.tokens['billing-agent'], b.tokens['account-admin']])
      for (const url of urls.slice(1)) {
        const r = await t.call({ url, token });
        if (r.status !== 404 || r.body?.code !== 'invoice_not_found')
          failures.push(`b ${url}: ${r.status} ${r.body?.code}`);
      }
    const bList = await invoicesOf(b.tokens['account-admin']);
    if (bList.some((i) => i.id === inv.id)) failures.push('b lists a');
    expect(failures).toEqual([]);
  });

  it('refuses bad input with 400 and the standard body', async () => {
    const token = a.tokens['billing-agent'];
    for (const url of [
      '/api/invoices?limit=0',
      '/api/invoices?limit=201',
      '/api/invoices?currency=eur',
      '/api/invoices?cursor=not-a-cursor',
      `/api/invoices?cursor=${Buffer.from(JSON.stringify(['2026-13-45x', 'x'])).toString('base64url')}`,
      '/api/invoices?unknown=1',
      '/api/invoices/bad%20id',
      '/api/invoices/x?cursor=%00',
    ]) {
      const r = await t.call({ url, token });
      expect(r.status, url).toBe(400);
      expect(typeof r.body?.code, url).toBe('string');
      expect(typeof r.body?.description, url).toBe('string');
    }
  });
});
