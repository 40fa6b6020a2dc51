import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planBulk } from '../../src/cli/plan-report.ts';
import { startTestApp, type TestApp } from '../fixtures/app.ts';

/**
 * Every CSV the product writes (today: the bulk plan's summary, `traslado plan --out`) goes through
 * src/platform/csv.ts: a customer whose name a spreadsheet would run as a formula arrives as text.
 */
let t: TestApp;
let dir: string;
beforeAll(async () => {
  t = await startTestApp({}, { catalog: true });
  dir = mkdtempSync(join(tmpdir(), 'traslado-csv-'));
}, 120_000);
afterAll(async () => {
  await t?.close();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

const NAMES = [
  '=HYPERLINK("http://evil.test","click")',
  '+1+2',
  '-2+3',
  '@SUM(A1:A9)',
  '\t=1+1',
  '\r=1+1',
  'Contoso, "Ltd"',
];

describe('the bulk plan summary CSV', () => {
  it('neutralises cells that start with =, +, -, @, tab or CR', async () => {
    const p = await t.newPartner();
    const ids: string[] = [];
    for (const name of NAMES) {
      const c = await t.newTenant({ partnerToken: p.tokens['account-admin'] });
      // Tab and CR never pass the API's schemas; an import or an older row could still hold them.
      await t.handle.db
        .updateTable('tenants')
        .set({ company_name: name })
        .where('id', '=', c.tenant.id)
        .execute();
      ids.push(c.tenant.id);
    }
    const out = join(dir, 'plan.jsonl');
    await planBulk(t.handle, { partnerId: p.partner.id, out, config: t.config });
    const text = readFileSync(`${out}.summary.csv`, 'utf8');
    const rows = parseCsv(text, { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(NAMES.length);
    const byTenant = new Map(rows.map((r) => [r.tenantId, r.customer]));
    for (const [i, name] of NAMES.entries()) {
      const cell = byTenant.get(ids[i]!);
      expect(cell, name).toBe(/^[=+\-@\t\r]/.test(name) ? `'${name}` : name);
    }
    // No line of the file starts a cell with a formula character.
    for (const r of rows)
      for (const cell of Object.values(r))
        expect(/^[=+@\t\r]/.test(cell) || /^-[^0-9]/.test(cell)).toBe(false);
  });
});
