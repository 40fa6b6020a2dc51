import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import {
  checkUsageRow,
  normaliseQuantity,
  type UsageProblem,
  type UsageRowInput,
} from '../../domain/azure.ts';
import { addMonthsUtc } from '../../domain/calendar.ts';
import type { Db, Trx } from '../../platform/db/database.ts';
import { DomainError } from '../../platform/errors.ts';
import type { Ctx } from '../../platform/http/context.ts';
import { recordAudit } from '../audit/index.ts';
import { insertBillingLine } from '../billing/index.ts';
import {
  findSubscriptions,
  insertUsage,
  listSubscriptionRows,
  partnerUsageByDay,
  partnerUsageRows,
  type UsageInsert,
  usageByMeterDay,
} from './azure.repo.ts';

/** A usage row as it arrives, with where it came from (a file's line, or a JSON row's index). */
export interface IncomingUsageRow {
  line: number;
  row: Partial<Record<keyof UsageRowInput, string | number>>;
}

// Column names as written (case, spaces, underscores ignored), ours and the vendor's usage file's.
const COLUMNS: Record<keyof UsageRowInput, string[]> = {
  date: ['date', 'usagedate', 'chargestartdate'],
  subscriptionId: ['subscriptionid', 'entitlementid'],
  meterId: ['meterid'],
  meterName: ['metername'],
  meterCategory: ['metercategory'],
  unit: ['unit', 'unitofmeasure'],
  quantity: ['quantity'],
  unitPrice: ['unitprice', 'unitpriceminor'],
  currency: ['currency', 'billingcurrency'],
  resourceId: ['resourceid', 'resourceuri', 'instanceid'],
};

/**
 * Reads a usage CSV (header on line 1). `unitPrice` is in minor units, like the JSON API. A file
 * with no header Traslado knows is refused whole; bad rows are judged one by one later.
 */
export function parseUsageCsv(text: string): IncomingUsageRow[] {
  let header: string[] = [];
  let records: { record: Record<string, string>; info: { lines: number } }[];
  try {
    records = parse(text, {
      columns: (names: string[]) => {
        header = names.map((h) => h.toLowerCase().replace(/[\s_]/g, ''));
        return header;
      },
      bom: true,
      skip_empty_lines: true,
      trim: true,
      info: true,
      relax_column_count: true,
    });
  } catch (err) {
    throw new DomainError('azure_usage_invalid', { detail: (err as Error).message.slice(0, 200) });
  }
  const column = (field: keyof UsageRowInput) => COLUMNS[field].find((c) => header.includes(c));
  const missing = (Object.keys(COLUMNS) as (keyof UsageRowInput)[]).filter(
    (f) => f !== 'resourceId' && f !== 'meterCategory' && !column(f),
  );
  if (missing.length > 0)
    throw new DomainError('azure_usage_invalid', { detail: `missing columns ${missing.join(', ')}` });
  if (records.length === 0)
    throw new DomainError('azure_usage_invalid', { detail: 'no rows under the header' });
  return records.map(({ record, info }) => {
    const row: IncomingUsageRow['row'] = {};
    for (const f of Object.keys(COLUMNS) as (keyof UsageRowInput)[]) {
      const c = column(f);
      if (c && record[c] !== undefined) row[f] = record[c];
    }
    return { line: info.lines, row };
  });
}

export async function readUsageFile(path: string) {
  return parseUsageCsv(await readFile(path, 'utf8'));
}

const text = (v: string | number | undefined) => (v === undefined ? '' : String(v).trim());

/** The unit price as written: an integer of minor units (a decimal or a sign is refused, not rounded). */
function unitPriceOf(v: string | number | undefined): number {
  if (typeof v === 'number') return v;
  const t = text(v);
  return /^\d{1,15}$/.test(t) ? Number(t) : Number.NaN;
}

export interface UsageImportResult {
  received: number;
  /** New rows stored. */
  imported: number;
  /** Rows already there (same subscription, meter, day and resource): left as they were. */
  unchanged: number;
  refused: { line: number; problem: UsageProblem; detail?: string }[];
}

/**
 * Imports daily rated usage (SPEC §9): each row is checked alone (unknown subscription, bad date,
 * negative quantity, another currency than its subscription's) and refused with its line; the rest
 * is stored, and a row already stored is left as it was, so importing a file twice changes nothing.
 */
export async function importUsage(
  ctx: Ctx,
  rows: IncomingUsageRow[],
  source: string,
): Promise<UsageImportResult> {
  const ids = [...new Set(rows.map((r) => text(r.row.subscriptionId)).filter((s) => s.length > 0))];
  const subs = new Map((await findSubscriptions(ctx.db, ids)).map((s) => [s.id, s]));
  const today = ctx.clock.now().toISOString().slice(0, 10);
  const refused: UsageImportResult['refused'] = [];
  const good: UsageInsert[] = [];
  for (const { line, row } of rows) {
    const input: UsageRowInput = {
      date: text(row.date),
      subscriptionId: text(row.subscriptionId),
      meterId: text(row.meterId),
      meterName: text(row.meterName),
      meterCategory: text(row.meterCategory),
      unit: text(row.unit),
      quantity: text(row.quantity),
      unitPrice: unitPriceOf(row.unitPrice),
      currency: text(row.currency).toUpperCase(),
      resourceId: text(row.resourceId),
    };
    const sub = subs.get(input.subscriptionId);
    const checked = checkUsageRow(input, sub, today);
    if (!checked.ok) {
      refused.push({
        line,
        problem: checked.problem,
        ...(checked.detail ? { detail: checked.detail.slice(0, 200) } : {}),
      });
      continue;
    }
    good.push({ ...input, quantity: checked.quantity, amount: checked.amount });
  }
  const imported = await insertUsage(ctx.db, good, ctx.clock.now());
  await billPartnerUsage(ctx, [...new Set(good.map((g) => g.subscriptionId))]);
  const result = { received: rows.length, imported, unchanged: good.length - imported, refused };
  await recordAudit(ctx, {
    action: 'azure-usage.imported',
    targetType: 'azure-usage',
    partnerId: null,
    tenantId: null,
    data: {
      source,
      received: result.received,
      imported,
      unchanged: result.unchanged,
      refused: refused.length,
      subscriptions: [...new Set(good.map((g) => g.subscriptionId))].slice(0, 100),
    },
  });
  return result;
}

/**
 * Writes a `usage` billing line for each stored usage row of these subscriptions that is a
 * partner's, in the import's transaction. Keyed by the row (subscription, meter, resource, day), so
 * a re-import, or a row billed before, writes nothing new. The line belongs to the usage day's
 * month; usage is passed on at cost (price rules are per license offer).
 */
async function billPartnerUsage(ctx: Ctx, subscriptionIds: string[]) {
  const now = ctx.clock.now();
  for (const u of await partnerUsageRows(ctx.db, subscriptionIds)) {
    await insertBillingLine(
      ctx.db,
      {
        source_key: `usage:${u.subscriptionId}:${u.meterId}:${u.resourceId}:${u.date}`,
        partner_id: u.partnerId,
        reseller_partner_id: null,
        tenant_id: u.tenantId,
        subscription_id: u.subscriptionId,
        order_id: null,
        offer_id: null,
        product_id: u.meterId,
        product_name: u.meterName,
        sku_id: null,
        sku_name: u.meterCategory,
        charge_type: 'usage',
        unit_price: u.unitPrice,
        effective_unit_price: u.unitPrice,
        unit_type: u.unit,
        quantity: u.quantity,
        billable_quantity: u.quantity,
        subtotal: u.amount,
        total: u.amount,
        currency: u.currency,
        customer_unit_price: u.unitPrice,
        customer_subtotal: u.amount,
        charge_start: u.date,
        charge_end: u.date,
        term: null,
        billing_cycle: null,
        reference_id: u.resourceId,
        credit_reason_code: null,
        occurred_at: new Date(`${u.date}T00:00:00Z`),
        billing_month: `${u.date.slice(0, 7)}-01`,
      },
      now,
    );
  }
}

/** A month `YYYY-MM` as the half-open day range [first day, first day of the next month). */
export function monthRange(month: string): { from: string; to: string } {
  const from = new Date(`${month}-01T00:00:00Z`);
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month) || Number.isNaN(from.getTime()))
    throw new DomainError('invalid_request', { detail: 'month must be YYYY-MM' });
  return { from: `${month}-01`, to: addMonthsUtc(from, 1).toISOString().slice(0, 10) };
}

/**
 * Usage per subscription, meter and day for one month. A partner reads what is its own (its
 * subscriptions, from the day each became its); the customer's admin reads every subscription's.
 */
export async function readAzureUsage(
  ctx: Ctx<Db>,
  input: { tenantId?: string; month?: string | undefined; subscriptionId?: string | undefined },
) {
  const month = input.month ?? ctx.clock.now().toISOString().slice(0, 7);
  const range = monthRange(month);
  const tenantId = ctx.actor.kind === 'customer' ? ctx.actor.tenantId! : input.tenantId!;
  const subs = await listSubscriptionRows(ctx.db, {
    tenantId,
    ...(ctx.actor.kind === 'partner' ? { partnerId: ctx.actor.partnerId! } : {}),
    limit: 10_000,
  });
  const ids = subs
    .filter((s) => ctx.actor.kind !== 'partner' || s.partner_id === ctx.actor.partnerId)
    .map((s) => s.id)
    .filter((id) => !input.subscriptionId || id === input.subscriptionId);
  const rows = await usageByMeterDay(ctx.db, {
    subscriptionIds: ids,
    ...range,
    ...(ctx.actor.kind === 'partner' ? { partnerId: ctx.actor.partnerId! } : {}),
  });
  const totals = new Map<string, number>();
  for (const r of rows) totals.set(r.currency, (totals.get(r.currency) ?? 0) + Number(r.amount));
  return {
    month,
    items: rows.map((r) => ({
      subscriptionId: r.subscriptionId,
      date: r.date,
      meterId: r.meterId,
      meterName: r.meterName,
      meterCategory: r.meterCategory,
      unit: r.unit,
      quantity: normaliseQuantity(r.quantity),
      amount: { amount: Number(r.amount), currency: r.currency },
    })),
    totals: [...totals].map(([currency, amount]) => ({ amount, currency })),
  };
}

/**
 * For billing (SPEC §8, §9): a month's rated usage that is a partner's, per partner, customer,
 * Azure subscription and day, in minor units: each becomes a `usage` line of the month's invoice.
 * `month` is `YYYY-MM`; leave `partnerId` out for every partner.
 */
export async function ratedUsageForMonth(
  ctx: Pick<Ctx<Db | Trx>, 'db'>,
  input: { month: string; partnerId?: string },
) {
  const rows = await partnerUsageByDay(ctx.db, {
    ...monthRange(input.month),
    ...(input.partnerId ? { partnerId: input.partnerId } : {}),
  });
  return rows.map((r) => ({ ...r, amount: Number(r.amount) }));
}
