import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  checkTree,
  compareWithAllowList,
  cyclesOf,
  facesOf,
  importsOf,
  layersOf,
  renderFaces,
  renderGraph,
  tablesNamedIn,
} from './check-boundaries.ts';

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

/** A throwaway source tree: { 'src/modules/a/a.service.ts': '…' } */
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(tmpdir(), 'boundaries-'));
  roots.push(root);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  }
  return root;
}

const clean = {
  'src/modules/partners/partners.repo.ts': 'export const findPartner = () => 1;\n',
  'src/modules/partners/index.ts': "export { findPartner } from './partners.repo.ts';\n",
  'src/modules/orders/orders.service.ts':
    "import { findPartner } from '../partners/index.ts';\nimport { x } from '../../platform/db/db.ts';\nexport const f = findPartner;\n",
  'src/platform/db/db.ts': 'export const x = 1;\n',
  'web/src/App.tsx': "import { helper } from './helper.ts';\nexport const a = helper;\n",
  'web/src/helper.ts': 'export const helper = 1;\n',
};

describe('the module boundary check', () => {
  it('passes on a clean tree: imports through index.ts, the console stays in web/, no cycle', () => {
    const report = checkTree(tree(clean));
    expect(report.modules).toEqual(['orders', 'partners']);
    expect([...(report.graph.get('orders') ?? [])]).toEqual(['partners']);
    expect(report.violations).toEqual([]);
    expect(report.cycles).toEqual([]);
    expect(compareWithAllowList(report, [])).toEqual({ unexpected: [], stale: [], allowed: 0 });
  });

  it("fails on a tree where one module imports another module's repo", () => {
    const report = checkTree(
      tree({
        ...clean,
        'src/modules/orders/orders.routes.ts':
          "import type { Row } from '../partners/partners.repo.ts';\nexport type R = Row;\n",
      }),
    );
    expect(report.violations).toEqual([
      'import src/modules/orders/orders.routes.ts -> src/modules/partners/partners.repo.ts',
    ]);
    expect(compareWithAllowList(report, []).unexpected).toEqual(report.violations);
  });

  it('fails when the console imports server code', () => {
    const report = checkTree(
      tree({ ...clean, 'web/src/App.tsx': "import { x } from '../../src/platform/db/db.ts';\n" }),
    );
    expect(report.violations).toEqual(['web web/src/App.tsx -> src/platform/db/db.ts']);
  });

  it('reports each module cycle, even through index.ts', () => {
    const report = checkTree(
      tree({
        ...clean,
        'src/modules/partners/partners.repo.ts':
          "import { f } from '../orders/index.ts';\nexport const findPartner = f;\n",
        'src/modules/orders/index.ts': "export { f } from './orders.service.ts';\n",
      }),
    );
    expect(report.violations).toEqual([]);
    expect(report.cycles).toEqual(['cycle orders -> partners -> orders']);
  });

  it('finds every elementary cycle once, starting at its least module', () => {
    const g = new Map([
      ['a', new Set(['b'])],
      ['b', new Set(['a', 'c'])],
      ['c', new Set(['a', 'c'])],
      ['d', new Set(['a'])],
    ]);
    expect(cyclesOf(g)).toEqual(['cycle a -> b -> a', 'cycle a -> b -> c -> a', 'cycle c -> c']);
  });

  it('fails on a cycle that runs through faces only, and gives no layers for it', () => {
    const report = checkTree(
      tree({
        ...clean,
        'src/modules/billing/index.ts': "export { f } from './billing.service.ts';\n",
        'src/modules/billing/billing.service.ts':
          "import { g } from '../orders/index.ts';\nexport const f = g;\n",
        'src/modules/orders/index.ts': "export { g } from './orders.service.ts';\n",
        'src/modules/partners/partners.service.ts':
          "import { f } from '../billing/index.ts';\nexport const h = f;\n",
      }),
    );
    expect(report.violations).toEqual([]);
    expect(report.cycles).toEqual(['cycle billing -> orders -> partners -> billing']);
    expect(compareWithAllowList(report, []).unexpected).toEqual(report.cycles);
    expect(layersOf(report.graph)).toBeUndefined();
    expect(() => renderGraph(report.graph)).toThrow(/cycle/);
  });

  it('puts each module one layer above the highest module it imports', () => {
    const g = new Map([
      ['a', new Set<string>()],
      ['b', new Set(['a'])],
      ['c', new Set(['a', 'b'])],
      ['d', new Set(['a'])],
    ]);
    expect(layersOf(g)).toEqual([['a'], ['b', 'd'], ['c']]);
    expect(renderGraph(g)).toContain('| 2 | `c` | `a`, `b` |');
  });

  it('the allow-list can only shrink: an entry that no longer occurs fails the check too', () => {
    const report = checkTree(tree(clean));
    const gone = 'import src/modules/orders/orders.service.ts -> src/modules/partners/partners.repo.ts';
    expect(compareWithAllowList(report, [gone])).toEqual({ unexpected: [], stale: [gone], allowed: 1 });
  });

  it('reads static, type-only, re-export and dynamic imports, not bare packages', () => {
    const src = [
      "import a from './a.ts';",
      "import type { B } from '../b.ts';",
      "export * from './c.ts';",
      "const d = await import('./d.ts');",
      "import { Kysely } from 'kysely';",
    ].join('\n');
    expect(importsOf(src).sort()).toEqual(['../b.ts', './a.ts', './c.ts', './d.ts']);
  });

  it('this repository: no import past a face, no console import of src/, no table of another module, no cycle; an empty allow-list', () => {
    const root = path.resolve(import.meta.dirname, '..');
    const allow = JSON.parse(readFileSync(path.join(root, 'scripts/boundaries.allow.json'), 'utf8'));
    const report = checkTree(root);
    expect(report.violations).toEqual([]);
    expect(report.cycles).toEqual([]);
    // 68 import and 17 table exceptions when the checks came in; none is left.
    expect(allow.allow).toEqual([]);
    expect(layersOf(report.graph)?.flat().sort()).toEqual(report.modules);
  });

  it('docs/ARCHITECTURE.md shows the module graph as it is (node --import tsx scripts/check-boundaries.ts --graph)', () => {
    const root = path.resolve(import.meta.dirname, '..');
    const doc = readFileSync(path.join(root, 'docs/ARCHITECTURE.md'), 'utf8');
    expect(doc).toContain(renderGraph(checkTree(root).graph));
  });

  it('docs/ARCHITECTURE.md lists each module face as it is (node --import tsx scripts/check-boundaries.ts --faces)', () => {
    const root = path.resolve(import.meta.dirname, '..');
    const doc = readFileSync(path.join(root, 'docs/ARCHITECTURE.md'), 'utf8');
    const faces = facesOf(root);
    expect(faces.size).toBeGreaterThan(10);
    expect(doc).toContain(renderFaces(faces));
  });

  it('passes on this repository with its allow-list (what npm run check:boundaries runs)', () => {
    const root = path.resolve(import.meta.dirname, '..');
    const allow = JSON.parse(readFileSync(path.join(root, 'scripts/boundaries.allow.json'), 'utf8'));
    const report = checkTree(root);
    expect(report.modules.length).toBeGreaterThan(10);
    expect(compareWithAllowList(report, allow.allow)).toEqual({
      unexpected: [],
      stale: [],
      allowed: allow.allow.length,
    });
  });
});

describe('the table-ownership check', () => {
  const owners = JSON.stringify({
    owners: { partners: ['partners', 'indirect_links'], orders: ['orders'], platform: ['sessions'] },
  });
  const withOwners = { ...clean, 'scripts/table-owners.json': owners };

  it('passes when each module names only its own tables', () => {
    const report = checkTree(
      tree({
        ...withOwners,
        'src/modules/orders/orders.repo.ts':
          "export const f = (db) => db.selectFrom('orders as o').innerJoin('orders as p', 'p.id', 'o.id');\n",
        'src/modules/partners/partners.repo.ts':
          "export const findPartner = (db) => db.selectFrom('partners').leftJoin('indirect_links as l', 'l.a', 'partners.id');\n",
      }),
    );
    expect(report.violations).toEqual([]);
  });

  it("fails on a repo that names another module's table, in the query builder or in raw SQL", () => {
    const report = checkTree(
      tree({
        ...withOwners,
        'src/modules/orders/orders.repo.ts': [
          "import { sql } from 'kysely';",
          "export const f = (db) => db.selectFrom('orders as o').innerJoin('partners as p', 'p.id', 'o.partner_id');",
          'export const g = (db) => sql`select 1 from sessions s join orders o on true`.execute(db);',
          // A string that is not SQL (a tag, a target type) is not a table name.
          "export const tag = 'partners';",
          '',
        ].join('\n'),
      }),
    );
    expect(report.violations).toEqual([
      'table src/modules/orders/orders.repo.ts -> partners (partners)',
      'table src/modules/orders/orders.repo.ts -> sessions (platform)',
    ]);
    expect(compareWithAllowList(report, []).unexpected).toHaveLength(2);
  });

  it('fails on a table a migration creates that no module owns', () => {
    const report = checkTree(
      tree({
        ...withOwners,
        'migrations/0001_init.sql':
          'create table orders (id text);\ncreate table if not exists stray_rows (id text);\n',
      }),
    );
    expect(report.violations).toEqual(['table migrations -> stray_rows (no owner)']);
  });

  it('finds the tables of query-builder calls and sql templates', () => {
    const known = new Set(['orders', 'partners', 'users']);
    const src = [
      "db.updateTable('orders').set({});",
      "db.deleteFrom('users as u');",
      'sql`insert into partners (id) values (1)`;',
      "db.selectFrom('nothing_known');",
    ].join('\n');
    expect(tablesNamedIn(src, known)).toEqual(['orders', 'partners', 'users']);
  });
});
