import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REGIONS } from '../../src/domain/regions.ts';
import { catalogue, type Json, ROOT } from '../fixtures/browser.ts';

/**
 * The console's two catalogues (web/src/i18n/en.json, es.json) hold the same keys, and every key
 * the code asks for is in them: a missing key would show as its raw name on screen. Plain file
 * checks, no browser.
 */
const SRC = join(ROOT, 'web/src');
const PLURAL = /_(zero|one|two|few|many|other)$/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(tsx?|jsx?)$/.test(name) ? [path] : [];
  });
}

/** `key` is in the catalogue as itself or as plural forms (`key_one`, `key_other`, …). */
function has(cat: Record<string, string>, key: string): boolean {
  if (key in cat) return true;
  return Object.keys(cat).some((k) => PLURAL.test(k) && k.replace(PLURAL, '') === key);
}

const en = catalogue('en');
const es = catalogue('es');

interface Use {
  key: string;
  where: string;
  /** A template literal's fixed start (`status.${s}`): some key must start with it. */
  prefix?: boolean;
}

/** Keys named in the code: t('…'), i18n.t('…'), i18nKey="…", and the fixed part of t(`…${x}`). */
function usedKeys(): Use[] {
  const uses: Use[] = [];
  for (const file of sourceFiles(SRC)) {
    const text = readFileSync(file, 'utf8');
    const lineOf = (i: number) => `${relative(ROOT, file)}:${text.slice(0, i).split('\n').length}`;
    for (const m of text.matchAll(/\bt\(\s*(['"])((?:(?!\1)[^\\\n])+)\1/g))
      uses.push({ key: m[2] as string, where: lineOf(m.index) });
    for (const m of text.matchAll(/\bi18nKey=\{?\s*(['"])((?:(?!\1)[^\\\n])+)\1/g))
      uses.push({ key: m[2] as string, where: lineOf(m.index) });
    for (const m of text.matchAll(/\bt\(\s*`([^`$]*)\$\{/g))
      uses.push({ key: m[1] as string, where: lineOf(m.index), prefix: true });
  }
  return uses;
}

/** Literal members of a TypeScript string union, e.g. `'a' | 'b'`, from its source text. */
function literals(text: string): string[] {
  return [...text.matchAll(/'([a-z][a-z-]*)'/g)].map((m) => m[1] as string);
}

function unionIn(file: string, pattern: RegExp): string[] {
  const m = pattern.exec(readFileSync(join(ROOT, file), 'utf8'));
  if (!m?.[1]) throw new Error(`${pattern} not found in ${file}: update this test`);
  return literals(m[1]);
}

/** Enum values of every schema property with this name in the OpenAPI document. */
function openapiEnum(name: string): string[] {
  const doc = JSON.parse(readFileSync(join(ROOT, 'openapi.json'), 'utf8'));
  const values = new Set<string>();
  const collect = (schema: Json): void => {
    if (!schema || typeof schema !== 'object') return;
    for (const v of schema.enum ?? []) values.add(v);
    if (typeof schema.const === 'string') values.add(schema.const);
    for (const s of [...(schema.anyOf ?? []), ...(schema.oneOf ?? [])]) collect(s);
    collect(schema.items);
  };
  const walk = (node: Json): void => {
    if (!node || typeof node !== 'object') return;
    if (node.properties?.[name]) collect(node.properties[name]);
    for (const v of Object.values(node)) walk(v);
  };
  walk(doc);
  return [...values];
}

/**
 * The values the server sends that the console shows through a dynamic key (`status.${s}`,
 * `channels.${c}`, …): each needs a text in both languages, or it would show raw (the code
 * passes the value itself as the default). Taken from the sources of truth: the migrations'
 * status checks, the OpenAPI enums, the planner's types and the region table.
 */
function serverValues(): Record<string, string[]> {
  const migrations = readdirSync(join(ROOT, 'migrations'))
    .filter((f) => f.endsWith('.sql'))
    .map((f) => readFileSync(join(ROOT, 'migrations', f), 'utf8'))
    .join('\n');
  const statuses = [...migrations.matchAll(/check \(status in \(([^)]*)\)\)/g)].flatMap((m) =>
    literals(m[1] as string),
  );
  const planner = 'src/domain/planner/types.ts';
  // How a subscription was bought is free text on import, but the platform writes some itself.
  const purchasedVia = sourceFiles(join(ROOT, 'src'))
    .filter((f) => !f.endsWith('.test.ts'))
    .flatMap((f) => [
      ...readFileSync(f, 'utf8').matchAll(/purchased_?[vV]ia(?:\s*===?\s*|:\s*)'([a-z][a-z-]*)'/g),
    ])
    .map((m) => m[1] as string);
  return {
    'status.': [
      ...statuses,
      ...openapiEnum('status'),
      ...unionIn(planner, /export type Verdict =([^;]*);/),
    ].filter(
      // An order's only status; the console shows no orders.
      (v) => v !== 'completed',
    ),
    'channels.': openapiEnum('channel'),
    'billingCycles.': openapiEnum('billingCycle'),
    'terms.': openapiEnum('term'),
    'dispositions.': openapiEnum('disposition'),
    'provisions.': openapiEnum('provision'),
    'roles.': openapiEnum('roles'),
    'steps.': unionIn(planner, /interface TimelineStep \{[^}]*?step:([^;]*);/),
    'actors.': unionIn(planner, /interface TimelineStep \{[^}]*?actor:([^;]*);/),
    'regions.': [...REGIONS],
    'purchasedVia.': purchasedVia,
    'auditActions.': auditActions(),
  };
}

/**
 * The audit actions the server records (`recordAudit(ctx, { action: '…' })`, a transfer's
 * `auditBothSides(…, '…')`), with `transition.${status}` and `transfer.${status}` spelled out from
 * the migrations' status checks: the audit view shows each by its label (`auditActions.…`).
 */
function auditActions(): string[] {
  const files = sourceFiles(join(ROOT, 'src')).filter((f) => !f.endsWith('.test.ts'));
  const out = new Set<string>();
  const migrations = readdirSync(join(ROOT, 'migrations'))
    .filter((f) => f.endsWith('.sql'))
    .map((f) => readFileSync(join(ROOT, 'migrations', f), 'utf8'))
    .join('\n');
  const statusesOf = (table: string) =>
    [...migrations.matchAll(new RegExp(`create table ${table} \\([\\s\\S]*?\\n\\);`, 'gi'))].flatMap((m) =>
      [...m[0].matchAll(/status in \(([^)]*)\)/g)].flatMap((x) => literals(x[1] as string)),
    );
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:recordAudit|auditBothSides)\(/g)) {
      const call = text.slice(m.index, m.index + 400).split(/\);\n/)[0] as string;
      const action = /action:\s*([^\n]*)/.exec(call)?.[1] ?? call;
      for (const l of action.matchAll(/['`]([a-z][a-z-]*\.(?:[a-z][a-z-]*|\$\{status\}))['`]/g)) {
        const name = l[1] as string;
        if (name === 'transition.${status}')
          for (const st of statusesOf('transitions')) out.add(`transition.${st}`);
        else if (name === 'transfer.${status}')
          for (const st of statusesOf('transfers')) out.add(`transfer.${st}`);
        else out.add(name);
      }
    }
  }
  return [...out];
}

describe('the console catalogues', () => {
  it('exist and are not trivially small', () => {
    expect(Object.keys(en).length).toBeGreaterThan(50);
    expect(Object.keys(es).length).toBeGreaterThan(50);
  });

  it('hold the same keys in English and Spanish', () => {
    // Plural forms differ by language (Spanish has `many`), so compare the keys without them…
    const base = (cat: Record<string, string>) =>
      [...new Set(Object.keys(cat).map((k) => k.replace(PLURAL, '')))].sort();
    const enKeys = base(en);
    const esKeys = base(es);
    expect(
      enKeys.filter((k) => !esKeys.includes(k)),
      'in en.json, missing in es.json',
    ).toEqual([]);
    expect(
      esKeys.filter((k) => !enKeys.includes(k)),
      'in es.json, missing in en.json',
    ).toEqual([]);
    // …and check each plural key has every form its language's rules ask for.
    for (const [lang, cat] of [
      ['en', en],
      ['es', es],
    ] as const) {
      const categories = new Intl.PluralRules(lang).resolvedOptions().pluralCategories;
      const plurals = new Set(
        Object.keys(cat)
          .filter((k) => PLURAL.test(k))
          .map((k) => k.replace(PLURAL, '')),
      );
      const missing = [...plurals].flatMap((k) =>
        categories.filter((c) => !(`${k}_${c}` in cat)).map((c) => `${k}_${c}`),
      );
      // i18next looks up exactly `key_<category>` (then `key`): Spanish needs `_many` too, which
      // Intl picks for counts such as 1000000.
      expect(missing, `plural forms missing in ${lang}.json`).toEqual([]);
    }
  });

  it('have no empty texts, and keep the same {{placeholders}} in both languages', () => {
    const placeholders = (s: string) => [...s.matchAll(/\{\{\s*(\w+)[^}]*\}\}/g)].map((m) => m[1]).sort();
    const problems: string[] = [];
    for (const [key, value] of Object.entries(en)) {
      if (value.trim() === '') problems.push(`en ${key} is empty`);
      const other = es[key];
      if (other === undefined) continue;
      if (other.trim() === '') problems.push(`es ${key} is empty`);
      if (JSON.stringify(placeholders(value)) !== JSON.stringify(placeholders(other)))
        problems.push(`${key}: en ${placeholders(value)} vs es ${placeholders(other)}`);
    }
    expect(problems).toEqual([]);
  });

  it('hold every key the console code asks for', () => {
    const uses = usedKeys();
    expect(uses.length).toBeGreaterThan(50);
    const missing = uses
      .filter((u) =>
        u.prefix
          ? ![en, es].every((cat) => Object.keys(cat).some((k) => k.startsWith(u.key)))
          : !has(en, u.key) || !has(es, u.key),
      )
      .map(
        (u) =>
          `${u.where}: ${u.key}${u.prefix ? '…' : ''} (${has(en, u.key) ? '' : 'en '}${has(es, u.key) ? '' : 'es'})`,
      );
    expect(missing).toEqual([]);
  });

  it('hold a text for every value the server sends that the code shows through a dynamic key', () => {
    const prefixes = new Set(
      usedKeys()
        .filter((u) => u.prefix)
        .map((u) => u.key),
    );
    const missing: string[] = [];
    let checked = 0;
    for (const [prefix, values] of Object.entries(serverValues())) {
      if (!prefixes.has(prefix)) continue;
      expect(values.length, prefix).toBeGreaterThan(0);
      for (const v of new Set(values)) {
        checked++;
        for (const [lang, cat] of [
          ['en', en],
          ['es', es],
        ] as const)
          if (!has(cat, `${prefix}${v}`)) missing.push(`${lang}: ${prefix}${v}`);
      }
    }
    expect(checked).toBeGreaterThan(50);
    expect(missing).toEqual([]);
  });
});
