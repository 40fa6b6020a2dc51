import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, type TestDatabase } from '../fixtures/databases.ts';

/**
 * The Kysely `Database` interface (src/platform/db/database.ts) is the code's only view of the
 * schema; a migration that drifts from it compiles and fails at run time. This reads the interface
 * with the TypeScript parser and compares it with the migrated database's information_schema, on
 * whichever database the project runs (pglite and postgres): the same tables, the same columns,
 * and a column typed `| null` exactly when the database lets it be null.
 */
const FILE = new URL('../../src/platform/db/database.ts', import.meta.url);
// Bookkeeping the code never queries through Kysely.
const NOT_IN_INTERFACE = new Set(['schema_migrations']);

interface DeclaredColumn {
  nullable: boolean;
}

function declaredSchema(): Map<string, Map<string, DeclaredColumn>> {
  const source = ts.createSourceFile('database.ts', readFileSync(FILE, 'utf8'), ts.ScriptTarget.ES2022, true);
  const interfaces = new Map<string, ts.InterfaceDeclaration>();
  const aliases = new Map<string, ts.TypeNode>();
  for (const s of source.statements) {
    if (ts.isInterfaceDeclaration(s)) interfaces.set(s.name.text, s);
    if (ts.isTypeAliasDeclaration(s)) aliases.set(s.name.text, s.type);
  }
  /** The type a select returns: ColumnType's first argument, Generated's argument, aliases followed. */
  const selectType = (t: ts.TypeNode): ts.TypeNode => {
    if (ts.isTypeReferenceNode(t) && ts.isIdentifier(t.typeName)) {
      const name = t.typeName.text;
      if ((name === 'ColumnType' || name === 'Generated') && t.typeArguments?.[0])
        return selectType(t.typeArguments[0]);
      const alias = aliases.get(name);
      if (alias) return selectType(alias);
    }
    return t;
  };
  const allowsNull = (t: ts.TypeNode): boolean => {
    const s = selectType(t);
    if (ts.isUnionTypeNode(s)) return s.types.some(allowsNull);
    return ts.isLiteralTypeNode(s) && s.literal.kind === ts.SyntaxKind.NullKeyword;
  };

  const db = interfaces.get('Database');
  if (!db) throw new Error('no interface Database in database.ts');
  const tables = new Map<string, Map<string, DeclaredColumn>>();
  for (const m of db.members) {
    if (!ts.isPropertySignature(m) || !m.type || !ts.isTypeReferenceNode(m.type)) continue;
    const table = (m.name as ts.Identifier).text;
    const decl = interfaces.get((m.type.typeName as ts.Identifier).text);
    if (!decl) throw new Error(`table ${table}: interface ${m.type.getText(source)} not found`);
    const columns = new Map<string, DeclaredColumn>();
    for (const c of decl.members) {
      if (!ts.isPropertySignature(c) || !c.type) continue;
      columns.set((c.name as ts.Identifier).text, { nullable: allowsNull(c.type) });
    }
    tables.set(table, columns);
  }
  return tables;
}

let db: TestDatabase;
beforeAll(async () => {
  db = await openTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

describe('the Kysely Database interface matches the migrated schema', () => {
  it('has the same tables, the same columns, and null where the database allows it', async () => {
    const declared = declaredSchema();
    const rows = await sql<{ t: string; c: string; nullable: string }>`
      select table_name as t, column_name as c, is_nullable as nullable
      from information_schema.columns
      where table_schema = 'public'
        and table_name in (select table_name from information_schema.tables
                           where table_schema = 'public' and table_type = 'BASE TABLE')
      order by table_name, column_name`.execute(db.handle.db);
    const actual = new Map<string, Map<string, DeclaredColumn>>();
    for (const r of rows.rows) {
      if (NOT_IN_INTERFACE.has(r.t)) continue;
      if (!actual.has(r.t)) actual.set(r.t, new Map());
      actual.get(r.t)!.set(r.c, { nullable: r.nullable === 'YES' });
    }
    // Not vacuous: both sides list the schema's tables.
    expect(declared.size).toBeGreaterThan(20);
    expect(actual.size).toBeGreaterThan(20);

    const sorted = (m: Map<string, Map<string, DeclaredColumn>>) =>
      Object.fromEntries(
        [...m.keys()]
          .sort()
          .map((t) => [
            t,
            Object.fromEntries(
              [...m.get(t)!.entries()]
                .sort(([a], [b]) => a.localeCompare(b))
                .map(([c, v]) => [c, v.nullable ? 'null' : 'not null']),
            ),
          ]),
      );
    expect(sorted(declared)).toEqual(sorted(actual));
  });
});
