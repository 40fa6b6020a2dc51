import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { addMonths, monthOf } from '../src/domain/invoices.ts';
import { closeInvoicesNow } from '../src/modules/billing/index.ts';
import { loadConfig } from '../src/platform/config.ts';
import { createLogger } from '../src/platform/log.ts';
import type { BenchDatabase } from './database.ts';
import { figure, heading, note } from './report.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const MIB = 1024 * 1024;
/** Both children run with this much old space: an export that held the file in memory would not fit. */
const OLD_SPACE_MIB = 128;

interface ChildResult {
  wallMs: number;
  bytes: number;
  startRssBytes: number;
  startHeapBytes: number;
  peakRssBytes: number;
  peakSampledRss: number;
  peakHeapBytes: number;
}

function runChild(op: 'export' | 'copy', args: object, databaseUrl: string): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        `--max-old-space-size=${OLD_SPACE_MIB}`,
        '--import',
        'tsx',
        'bench/reconciliation-child.ts',
        op,
        JSON.stringify(args),
      ],
      { cwd: ROOT, env: { ...process.env, DATABASE_URL: databaseUrl }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      err = (err + d.toString()).slice(-8000);
    });
    child.on('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('RESULT '));
      if (code === 0 && line) resolve(JSON.parse(line.slice('RESULT '.length)) as ChildResult);
      else reject(new Error(`reconciliation ${op} exited ${code}: ${err.trim() || out.trim()}`));
    });
  });
}

/**
 * One partner's invoice of `lines` lines over 1,000 customers, written by SQL (untimed) and closed
 * by the month close (timed, for information).
 */
async function seedInvoice(db: BenchDatabase, lines: number): Promise<string> {
  const month = addMonths(monthOf(new Date()), -1);
  const partnerId = 'bench-billing-partner';
  await sql`insert into partners (id, name, country, region, created_at)
            values (${partnerId}, 'Bench Billing Partner', 'ES', 'europe', now())`.execute(db.handle.db);
  await sql`insert into tenants (id, company_name, default_domain, country, region, created_at)
            select 'bench-tenant-' || i, 'Cliente ' || i || ', S.L.', 'cliente' || i || '.test', 'ES', 'europe', now()
              from generate_series(1, 1000) i`.execute(db.handle.db);
  await sql`insert into billing_lines (id, source_key, partner_id, tenant_id, subscription_id, order_id,
              offer_id, product_id, product_name, sku_id, sku_name, charge_type, unit_price, effective_unit_price,
              unit_type, quantity, billable_quantity, subtotal, tax_total, total, currency, customer_unit_price,
              customer_subtotal, charge_start, charge_end, term, billing_cycle, occurred_at, billing_month, created_at)
            select md5(i::text), 'bench:' || i, ${partnerId}, 'bench-tenant-' || (1 + i % 1000), md5('s' || i),
              md5('o' || i), 'CFQ7TTC0LDPB:0001', 'CFQ7TTC0LDPB', 'Microsoft 365 Business Standard', '0001',
              'Microsoft 365 Business Standard', 'cycleCharge', 14880, 1240, 'Licenses', 1 + i % 50, 1 + i % 50,
              1240 * (1 + i % 50), 0, 1240 * (1 + i % 50), 'EUR', 1426, 1426 * (1 + i % 50),
              ${month}::date, (${month}::date + interval '1 month' - interval '1 day')::date, 'P1Y', 'monthly',
              ${month}::date + interval '12 hours', ${month}::date, now()
              from generate_series(1, ${lines}::int) i`.execute(db.handle.db);
  await sql`analyze`.execute(db.handle.db);
  const t0 = performance.now();
  const issued = await closeInvoicesNow({
    handle: db.handle,
    config: loadConfig({}, {}),
    log: createLogger('warn'),
  });
  const closeS = (performance.now() - t0) / 1000;
  const invoice = issued[0];
  if (!invoice || invoice.lineCount !== lines) throw new Error('the bench invoice was not closed');
  note(
    `invoice ${invoice.number}: ${lines} lines closed in ${closeS.toFixed(2)} s (one transaction; untargeted)`,
  );
  return invoice.id;
}

/**
 * 6. Reconciliation export (issue 19): the invoice's reconciliation file streamed to a file by the
 * route's own writer in a child process (wall time, peak RSS and sampled heap), beside
 * `COPY (select … the same rows and columns, joined with the customers …) TO STDOUT` in another
 * child, same run.
 */
export async function benchReconciliation(db: BenchDatabase, lines: number) {
  heading(`6. Reconciliation export: one invoice of ${lines} lines`);
  const invoiceId = await seedInvoice(db, lines);
  const out = join(tmpdir(), `traslado-bench-recon-${process.pid}.csv`);
  const copyOut = `${out}.copy`;
  try {
    const exp = await runChild('export', { invoiceId, out }, db.url);
    const id = invoiceId.replace(/[^0-9a-f-]/g, '');
    const query = `select l.partner_id, l.tenant_id, t.company_name, t.default_domain, t.country, i.number,
        l.partner_id, l.reseller_partner_id, l.order_id, (l.occurred_at at time zone 'UTC')::date, l.product_id,
        l.sku_id, l.sku_name, l.product_name, l.charge_type, l.unit_price / 100.0, l.effective_unit_price / 100.0,
        l.unit_type, l.quantity, l.billable_quantity, l.subtotal / 100.0, l.tax_total / 100.0, l.total / 100.0,
        l.currency, l.charge_start, l.charge_end, l.subscription_id, l.sku_name, l.term, l.billing_cycle,
        l.reference_id, l.credit_reason_code
      from billing_lines l join invoices i on i.id = l.invoice_id join tenants t on t.id = l.tenant_id
      where l.invoice_id = '${id}' order by l.id`;
    const copy = await runChild('copy', { query, out: copyOut }, db.url);
    const exportS = exp.wallMs / 1000;
    const copyS = copy.wallMs / 1000;
    note(
      `file ${(exp.bytes / MIB).toFixed(1)} MiB (COPY's ${(copy.bytes / MIB).toFixed(1)} MiB); ` +
        `a Node process through tsx starts at ${Math.round(exp.startRssBytes / MIB)} MiB`,
    );
    figure('reconciliation.export_s', exportS, 's');
    figure('reconciliation.rows_per_s', lines / exportS, 'rows/s');
    figure('reconciliation.copy_s', copyS, 's');
    figure('reconciliation.copy_rows_per_s', lines / copyS, 'rows/s');
    figure('reconciliation.ratio_vs_copy', copyS / exportS, '×', { op: '≥', value: 0.1, unit: '×' });
    figure('reconciliation.peak_rss_mib', exp.peakRssBytes / MIB, 'MiB', {
      op: '≤',
      value: 384,
      unit: 'MiB',
    });
    figure('reconciliation.peak_heap_mib', exp.peakHeapBytes / MIB, 'MiB');
    // Streaming: the heap holds a page or two of lines (and garbage not yet collected), whatever the
    // invoice's size; the export child runs with a bounded old space, so it would fail otherwise.
    figure('reconciliation.heap_growth_mib', (exp.peakHeapBytes - exp.startHeapBytes) / MIB, 'MiB', {
      op: '≤',
      value: 32,
      unit: 'MiB',
    });
    figure('reconciliation.copy_peak_rss_mib', copy.peakRssBytes / MIB, 'MiB');
    figure('reconciliation.copy_peak_heap_mib', copy.peakHeapBytes / MIB, 'MiB');
    note(
      `heap before writing: export ${Math.round(exp.startHeapBytes / MIB)} MiB (the app's modules loaded), ` +
        `COPY ${Math.round(copy.startHeapBytes / MIB)} MiB`,
    );
  } finally {
    rmSync(out, { force: true });
    rmSync(copyOut, { force: true });
  }
}
