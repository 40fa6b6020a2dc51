import { once } from 'node:events';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { parse as parseCsv } from 'csv-parse/sync';
import {
  type ApplyBulkOptions,
  type ApplyBulkResult,
  applyBulk as applyBulkPlans,
  type BulkPlanResult,
  type PlanBulkOptions,
  planBulk as planBulkCustomers,
  type ReportCustomer,
  SUMMARY_HEADER,
} from '../modules/transitions/index.ts';
import type { DatabaseHandle } from '../platform/db/connect.ts';
import { DomainError } from '../platform/errors.ts';

export { bulkActor } from '../modules/transitions/index.ts';

/**
 * The bulk plan's files, the command line's side of `traslado plan` and `traslado apply`: the
 * report (JSON lines: a header, then one line per customer), its CSV summary, reading a report
 * back (and the older single-JSON plan file), and reading a customer list. The use cases
 * themselves (`planBulk`, `applyBulk`) live in the transitions module and know no file format.
 */

export const REPORT_FORMAT = 'traslado-plan-report/1';

/** The report's first line. */
export interface ReportHeader {
  type: 'header';
  format: typeof REPORT_FORMAT;
  partnerId: string;
  generatedAt: string;
}

/** One line per customer: its saved transition (none when refused), verdict, lines and totals. */
export type { ReportCustomer };

/** Reads a customer list: a JSON array (of ids or `{ tenantId }`) or a CSV with a `tenantId` column. */
export async function readCustomerIds(file: string): Promise<string[]> {
  const text = await readFile(file, 'utf8');
  const trimmed = text.trimStart();
  if (trimmed.startsWith('[') || trimmed.startsWith('{')) {
    const data = JSON.parse(text) as unknown;
    const list = Array.isArray(data) ? data : (data as { customers?: unknown[] }).customers;
    if (!Array.isArray(list))
      throw new DomainError('invalid_request', { detail: `${file}: expected a JSON array of tenant ids` });
    return list.map((x) => (typeof x === 'string' ? x : String((x as { tenantId?: string }).tenantId)));
  }
  const rows = parseCsv(text, { skip_empty_lines: true, trim: true, relax_column_count: true }) as string[][];
  if (rows.length === 0) return [];
  const header = rows[0]!.map((h) => h.toLowerCase());
  const col = header.findIndex((h) => h === 'tenantid' || h === 'tenant_id');
  // A header naming tenantId decides the column; without one, the first column holds the ids.
  const body = col >= 0 ? rows.slice(1) : rows;
  return body.map((r) => (r[Math.max(col, 0)] ?? '').trim()).filter((x) => x.length > 0);
}

async function write(stream: WriteStream, text: string) {
  if (!stream.write(text)) await once(stream, 'drain');
}

async function closeStream(s: WriteStream) {
  s.end();
  await once(s, 'finish');
}

/** An entry of a plan report, old (one JSON document) or new (JSON lines). */
export interface ReportEntry {
  tenantId: string;
  transitionId: string | null;
  verdict: string | null;
}

/**
 * Reads a report written by `planBulk` line by line (never the whole file at once), or the older
 * single-JSON plan file (`{ partnerId, transitions: [...] }`). Yields the header's partner first.
 */
export async function* readReport(file: string): AsyncGenerator<{ partnerId: string } | ReportEntry> {
  const lines = createInterface({
    input: createReadStream(file, 'utf8'),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  let first = true;
  for await (const raw of lines) {
    const line = raw.trim();
    if (!line) continue;
    if (first) {
      first = false;
      let header: Partial<ReportHeader> | null = null;
      try {
        header = JSON.parse(line) as Partial<ReportHeader>;
      } catch {
        header = null;
      }
      if (header?.type !== 'header' || typeof header.partnerId !== 'string') {
        lines.close();
        // The older format: one JSON document.
        const doc = JSON.parse(await readFile(file, 'utf8')) as {
          partnerId: string;
          transitions: { tenantId: string; transitionId?: string; verdict?: string }[];
        };
        yield { partnerId: doc.partnerId };
        for (const t of doc.transitions)
          yield { tenantId: t.tenantId, transitionId: t.transitionId ?? null, verdict: t.verdict ?? null };
        return;
      }
      yield { partnerId: header.partnerId };
      continue;
    }
    const c = JSON.parse(line) as Partial<ReportCustomer>;
    if (c.type !== 'customer' || typeof c.tenantId !== 'string') continue;
    yield { tenantId: c.tenantId, transitionId: c.transitionId ?? null, verdict: c.verdict ?? null };
  }
}

export interface PlanReportOptions extends Omit<PlanBulkOptions, 'onStart' | 'onBatch'> {
  /** Write the report here (JSON lines) and a CSV summary at `<out>.summary.csv`. */
  out?: string;
}

export interface PlanReportResult extends BulkPlanResult {
  report: string | null;
  summaryCsv: string | null;
}

/**
 * `traslado plan`: plans in bulk (the transitions module's `planBulk`) and writes the report as it
 * goes, batch by batch in order, one write per file and batch.
 */
export async function planBulk(handle: DatabaseHandle, opts: PlanReportOptions): Promise<PlanReportResult> {
  const { out, ...rest } = opts;
  // The files are made once the partner is known: a refused plan leaves none behind.
  let report: WriteStream | null = null;
  let csv: WriteStream | null = null;
  try {
    const result = await planBulkCustomers(handle, {
      ...rest,
      onStart: async ({ partnerId, generatedAt }) => {
        report = out ? createWriteStream(out) : null;
        csv = out ? createWriteStream(`${out}.summary.csv`) : null;
        if (report) {
          const header: ReportHeader = { type: 'header', format: REPORT_FORMAT, partnerId, generatedAt };
          await write(report, `${JSON.stringify(header)}\n`);
        }
        if (csv) await write(csv, SUMMARY_HEADER);
      },
      onBatch: async (outcomes) => {
        // Each customer's line and summary row come as text (made where it was planned).
        let reportText = '';
        let csvText = '';
        for (const o of outcomes) {
          if (report) reportText += `${o.reportLine}\n`;
          if (csv) csvText += o.summaryRow;
        }
        if (report) await write(report, reportText);
        if (csv) await write(csv, csvText);
      },
    });
    return { ...result, report: out ?? null, summaryCsv: out ? `${out}.summary.csv` : null };
  } finally {
    await Promise.all([report && closeStream(report), csv && closeStream(csv)]);
  }
}

export interface ApplyReportOptions extends Omit<ApplyBulkOptions, 'partnerId' | 'customers' | 'entries'> {
  /** A report written by `planBulk` / `traslado plan` (or the older single-JSON plan file). */
  report: string;
}

/** `traslado apply`: applies every ready plan of a report (the transitions module's `applyBulk`). */
export async function applyBulk(handle: DatabaseHandle, opts: ApplyReportOptions): Promise<ApplyBulkResult> {
  const { report, ...rest } = opts;
  let partnerId = '';
  let customers = 0;
  for await (const e of readReport(report)) {
    if ('partnerId' in e) partnerId = e.partnerId;
    else customers++;
  }
  async function* entries() {
    for await (const e of readReport(report)) if (!('partnerId' in e)) yield e;
  }
  return applyBulkPlans(handle, { ...rest, partnerId, customers, entries: entries() });
}
