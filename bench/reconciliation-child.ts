import { createWriteStream } from 'node:fs';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { findInvoice, reconciliationStream } from '../src/modules/billing/index.ts';
import { tenantSummaries } from '../src/modules/tenants/index.ts';
import { openPostgres } from '../src/platform/db/connect.ts';

/**
 * One side of the reconciliation bench in a process of its own, so its memory is its own:
 * `export '{"invoiceId":…,"out":…}'` streams the invoice's reconciliation file (the route's writer)
 * to a file; `copy '{"query":…,"out":…}'` streams `COPY (query) TO STDOUT` the same way.
 * Samples RSS and heap every 10 ms; prints `RESULT <json>`.
 */
const [op, json] = process.argv.slice(2);
const args = JSON.parse(json ?? '{}') as { invoiceId?: string; query?: string; out: string };
const startRssBytes = process.memoryUsage().rss;
// What the process holds before it writes anything (its code loaded), to tell growth from baseline.
const startHeapBytes = process.memoryUsage().heapUsed;
let peakHeapBytes = 0;
let peakSampledRss = 0;
const sampler = setInterval(() => {
  const m = process.memoryUsage();
  peakHeapBytes = Math.max(peakHeapBytes, m.heapUsed);
  peakSampledRss = Math.max(peakSampledRss, m.rss);
}, 10);
let bytes = 0;
const counted = (out: string) => {
  const file = createWriteStream(out);
  return new Writable({
    write(chunk: Buffer, _enc, cb) {
      bytes += chunk.length;
      file.write(chunk, cb);
    },
    final(cb) {
      file.end(cb);
    },
  });
};

const t0 = performance.now();
if (op === 'export') {
  const handle = openPostgres(process.env.DATABASE_URL!, { max: 2 });
  try {
    const invoice = await findInvoice(handle.db, args.invoiceId!);
    if (!invoice) throw new Error(`no invoice ${args.invoiceId}`);
    await pipeline(
      reconciliationStream(handle.db, invoice, (db, ids) => tenantSummaries({ db }, ids)),
      counted(args.out),
    );
  } finally {
    await handle.close();
  }
} else if (op === 'copy') {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL! });
  await client.connect();
  try {
    await pipeline(
      client.query(copyTo(`COPY (${args.query}) TO STDOUT WITH (FORMAT csv, HEADER)`)),
      counted(args.out),
    );
  } finally {
    await client.end();
  }
} else throw new Error(`unknown operation ${op}`);
const wallMs = performance.now() - t0;
clearInterval(sampler);
console.log(
  `RESULT ${JSON.stringify({
    wallMs,
    bytes,
    startRssBytes,
    startHeapBytes,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    peakSampledRss,
    peakHeapBytes,
  })}`,
);
