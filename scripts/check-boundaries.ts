// Module boundaries, checked by `npm run check` (docs/ARCHITECTURE.md, "Module boundaries"):
//  - a file in src/modules/<a>/ imports another module <b> only through src/modules/<b>/index.ts;
//  - the console (web/) imports nothing from src/;
//  - the graph of modules (an edge for every import between two modules) has no cycle;
//  - a module's code names only its own tables in SQL (scripts/table-owners.json says which module
//    owns each table): another module's rows are read through that module's face (batch readers).
// Today's exceptions sit in scripts/boundaries.allow.json. That list can only shrink: the check fails
// on a violation that is not in it AND on an entry that no longer occurs (so a fix must delete it).
// `--prune` deletes the entries that no longer occur; nothing ever adds to the list by itself.
// `--graph` prints the module graph by layer, with a mermaid chart (docs/ARCHITECTURE.md).
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const SOURCE = /\.(ts|tsx|mts|cts)$/;

export interface BoundaryReport {
  /**
   * `import <from> -> <to>`, `web <from> -> <to>` and `table <file> -> <table> (<owner>)`, paths
   * relative to the root.
   */
  violations: string[];
  /** `cycle a -> b -> a`, each elementary cycle once, starting at its alphabetically first module. */
  cycles: string[];
  modules: string[];
  /** module -> modules it imports */
  graph: Map<string, Set<string>>;
}

export interface AllowCheck {
  /** found and not allowed */
  unexpected: string[];
  /** allowed but no longer found: the list must shrink */
  stale: string[];
  allowed: number;
}

function walk(dir: string, out: string[] = []): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of names) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) walk(full, out);
    else if (SOURCE.test(name) && !name.endsWith('.d.ts')) out.push(full);
  }
  return out;
}

/** Relative specifiers of every static import/export, `import()` and `require()` in a file. */
export function importsOf(source: string): string[] {
  const info = ts.preProcessFile(source, true, true);
  return info.importedFiles.map((f) => f.fileName).filter((s) => s.startsWith('.'));
}

const rel = (root: string, file: string) => path.relative(root, file).split(path.sep).join('/');

/** `src/modules/<name>/…` → name, else undefined. */
function moduleOf(relPath: string): string | undefined {
  const m = /^src\/modules\/([^/]+)\//.exec(relPath);
  return m?.[1];
}

/** Which module owns each table: `{ "<module>": ["table", …] }`; `platform` for the platform's own. */
export type TableOwners = Record<string, string[]>;

const QUERY_CALLS = new Set([
  'selectFrom',
  'insertInto',
  'updateTable',
  'deleteFrom',
  'mergeInto',
  'innerJoin',
  'leftJoin',
  'rightJoin',
  'fullJoin',
  'crossJoin',
]);
const RAW_TABLE = /\b(?:from|join|into|update|table)\s+"?([a-z_][a-z0-9_]*)"?/gi;

/**
 * The tables a source file names in SQL: the first argument of Kysely's query-builder calls
 * (`selectFrom('subscriptions as s')`, joins, inserts, updates, deletes) and the tables after
 * FROM / JOIN / INTO / UPDATE / TABLE in `sql` templates. Only names in `known` count.
 */
export function tablesNamedIn(source: string, known: Set<string>): string[] {
  const sf = ts.createSourceFile('x.ts', source, ts.ScriptTarget.Latest, false);
  const found = new Set<string>();
  const nameOf = (text: string) => text.trim().split(/\s+/)[0]!.split('.').pop()!;
  const visit = (node: ts.Node) => {
    if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const name = ts.isPropertyAccessExpression(callee) ? callee.name.text : undefined;
      const arg = node.arguments[0];
      if (
        name &&
        QUERY_CALLS.has(name) &&
        arg &&
        (ts.isStringLiteral(arg) || ts.isNoSubstitutionTemplateLiteral(arg))
      ) {
        const t = nameOf(arg.text);
        if (known.has(t)) found.add(t);
      }
    }
    if (ts.isTaggedTemplateExpression(node) && node.tag.getText(sf) === 'sql') {
      const t = node.template;
      const parts = ts.isNoSubstitutionTemplateLiteral(t)
        ? [t.text]
        : [t.head.text, ...t.templateSpans.map((s) => s.literal.text)];
      for (const part of parts)
        for (const m of part.matchAll(RAW_TABLE)) if (known.has(m[1]!)) found.add(m[1]!);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return [...found].sort();
}

/** The tables the migrations create (`create table [if not exists] name`). */
export function migratedTables(root: string): string[] {
  const dir = path.join(root, 'migrations');
  let files: string[] = [];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.sql'));
  } catch {
    return [];
  }
  const found = new Set<string>();
  for (const f of files) {
    const text = readFileSync(path.join(dir, f), 'utf8');
    for (const m of text.matchAll(/create\s+table\s+(?:if\s+not\s+exists\s+)?"?([a-z_][a-z0-9_]*)"?/gi)) {
      found.add(m[1]!.toLowerCase());
    }
  }
  return [...found].sort();
}

function readOwners(root: string): TableOwners | undefined {
  try {
    return JSON.parse(readFileSync(path.join(root, 'scripts/table-owners.json'), 'utf8'))
      .owners as TableOwners;
  } catch {
    return undefined;
  }
}

export function checkTree(root: string): BoundaryReport {
  const violations = new Set<string>();
  const graph = new Map<string, Set<string>>();
  const modulesDir = path.join(root, 'src/modules');
  let modules: string[] = [];
  try {
    modules = readdirSync(modulesDir)
      .filter((n) => statSync(path.join(modulesDir, n)).isDirectory())
      .sort();
  } catch {
    modules = [];
  }
  for (const m of modules) graph.set(m, new Set());

  const owners = readOwners(root);
  const ownerOf = new Map<string, string>();
  for (const [m, tables] of Object.entries(owners ?? {})) for (const t of tables) ownerOf.set(t, m);
  const known = new Set(ownerOf.keys());
  // Every table a migration creates has an owner: a table nobody owns would escape the check.
  if (owners) {
    for (const t of migratedTables(root))
      if (!known.has(t)) violations.add(`table migrations -> ${t} (no owner)`);
  }

  for (const file of walk(modulesDir)) {
    const from = rel(root, file);
    const a = moduleOf(from);
    if (!a) continue;
    const source = readFileSync(file, 'utf8');
    // Tests may set up any rows they need; the module's own code reads others' through their faces.
    if (owners && !/\.test\.tsx?$/.test(file)) {
      for (const t of tablesNamedIn(source, known)) {
        const owner = ownerOf.get(t)!;
        if (owner !== a) violations.add(`table ${from} -> ${t} (${owner})`);
      }
    }
    for (const spec of importsOf(source)) {
      const to = rel(root, path.resolve(path.dirname(file), spec));
      const b = moduleOf(to);
      if (!b || b === a) continue;
      graph.get(a)?.add(b);
      if (!/^src\/modules\/[^/]+\/index\.(ts|js)$/.test(to)) violations.add(`import ${from} -> ${to}`);
    }
  }

  for (const file of walk(path.join(root, 'web'))) {
    const from = rel(root, file);
    for (const spec of importsOf(readFileSync(file, 'utf8'))) {
      const to = rel(root, path.resolve(path.dirname(file), spec));
      if (to.startsWith('src/')) violations.add(`web ${from} -> ${to}`);
    }
  }

  return { violations: [...violations].sort(), cycles: cyclesOf(graph), modules, graph };
}

/**
 * Every elementary cycle of a small directed graph, each once, rotated to start at its least node.
 * Removing an edge only ever removes cycles, so allow-listed cycles can only go away, never change.
 */
export function cyclesOf(graph: Map<string, Set<string>>): string[] {
  const nodes = [...graph.keys()].sort();
  const found: string[] = [];
  for (const start of nodes) {
    const pathStack: string[] = [start];
    const onPath = new Set([start]);
    const visit = (node: string) => {
      for (const next of [...(graph.get(node) ?? [])].sort()) {
        if (next === start) found.push(`cycle ${[...pathStack, start].join(' -> ')}`);
        // Only nodes after `start`: a cycle through an earlier node was found from that node.
        else if (next > start && !onPath.has(next)) {
          pathStack.push(next);
          onPath.add(next);
          visit(next);
          onPath.delete(next);
          pathStack.pop();
        }
      }
    };
    visit(start);
  }
  return found.sort();
}

/**
 * The modules by layer, lowest first: a module's layer is one more than the highest layer of the
 * modules it imports (0 for a module that imports none). Undefined when the graph has a cycle.
 */
export function layersOf(graph: Map<string, Set<string>>): string[][] | undefined {
  const layer = new Map<string, number>();
  const visiting = new Set<string>();
  const depth = (m: string): number | undefined => {
    const known = layer.get(m);
    if (known !== undefined) return known;
    if (visiting.has(m)) return undefined;
    visiting.add(m);
    let d = 0;
    for (const next of graph.get(m) ?? []) {
      const n = depth(next);
      if (n === undefined) return undefined;
      d = Math.max(d, n + 1);
    }
    visiting.delete(m);
    layer.set(m, d);
    return d;
  };
  const out: string[][] = [];
  for (const m of [...graph.keys()].sort()) {
    const d = depth(m);
    if (d === undefined) return undefined;
    out[d] = [...(out[d] ?? []), m];
  }
  return out;
}

/** The module graph as Markdown (docs/ARCHITECTURE.md, "Module graph"): layers, then a mermaid chart. */
export function renderGraph(graph: Map<string, Set<string>>): string {
  const layers = layersOf(graph);
  if (!layers) throw new Error('the module graph has a cycle: see npm run check:boundaries');
  const lines = ['| layer | module | imports (through its face) |', '|---|---|---|'];
  layers.forEach((mods, i) => {
    for (const m of mods) {
      const deps = [...(graph.get(m) ?? [])].sort().map((d) => `\`${d}\``);
      lines.push(`| ${i} | \`${m}\` | ${deps.join(', ') || '—'} |`);
    }
  });
  lines.push('', '```mermaid', 'flowchart BT');
  for (const mods of layers) {
    for (const m of mods) for (const d of [...(graph.get(m) ?? [])].sort()) lines.push(`  ${m} --> ${d}`);
  }
  lines.push('```');
  return `${lines.join('\n')}\n`;
}

/** What each module's face exports, by name (types marked `type`), from its index.ts. */
export function facesOf(root: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const modulesDir = path.join(root, 'src/modules');
  for (const m of readdirSync(modulesDir).sort()) {
    let text: string;
    try {
      text = readFileSync(path.join(modulesDir, m, 'index.ts'), 'utf8');
    } catch {
      continue;
    }
    const sf = ts.createSourceFile('index.ts', text, ts.ScriptTarget.Latest, false);
    const names: string[] = [];
    for (const st of sf.statements) {
      if (!ts.isExportDeclaration(st) || !st.exportClause || !ts.isNamedExports(st.exportClause)) continue;
      for (const e of st.exportClause.elements)
        names.push(st.isTypeOnly || e.isTypeOnly ? `type ${e.name.text}` : e.name.text);
    }
    out.set(
      m,
      names.sort((a, b) => a.replace(/^type /, '').localeCompare(b.replace(/^type /, ''))),
    );
  }
  return out;
}

/** The faces as Markdown (docs/ARCHITECTURE.md, "Module faces"). */
export function renderFaces(faces: Map<string, string[]>): string {
  const lines = ['| module | its face (src/modules/<module>/index.ts) |', '|---|---|'];
  for (const [m, names] of faces)
    lines.push(`| \`${m}\` | ${names.map((n) => `\`${n}\``).join(', ') || '—'} |`);
  return `${lines.join('\n')}\n`;
}

export function compareWithAllowList(report: BoundaryReport, allow: string[]): AllowCheck {
  const found = new Set([...report.violations, ...report.cycles]);
  const allowed = new Set(allow);
  return {
    unexpected: [...found].filter((f) => !allowed.has(f)),
    stale: allow.filter((a) => !found.has(a)),
    allowed: allow.length,
  };
}

export interface AllowFile {
  comment?: string;
  allow: string[];
}

function main() {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const allowPath = path.join(root, 'scripts/boundaries.allow.json');
  const allowFile = JSON.parse(readFileSync(allowPath, 'utf8')) as AllowFile;
  const report = checkTree(root);
  const result = compareWithAllowList(report, allowFile.allow);

  if (process.argv.includes('--faces')) {
    process.stdout.write(renderFaces(facesOf(root)));
    return;
  }
  if (process.argv.includes('--graph')) {
    process.stdout.write(renderGraph(report.graph));
    return;
  }

  if (process.argv.includes('--prune') && result.stale.length > 0) {
    const stale = new Set(result.stale);
    allowFile.allow = allowFile.allow.filter((a) => !stale.has(a));
    writeFileSync(allowPath, `${JSON.stringify(allowFile, null, 2)}\n`);
    console.log(`boundaries: pruned ${result.stale.length} entries that no longer occur`);
    result.stale = [];
  }

  const imports = report.violations.filter((v) => v.startsWith('import ')).length;
  const web = report.violations.filter((v) => v.startsWith('web ')).length;
  const tables = report.violations.filter((v) => v.startsWith('table ')).length;
  const edges = [...report.graph.values()].reduce((n, s) => n + s.size, 0);
  console.log(
    `boundaries: ${report.modules.length} modules, ${edges} edges; ` +
      `${imports} imports past a module's index.ts, ${web} console imports of src/, ` +
      `${tables} names of another module's table, ` +
      `${report.cycles.length} module cycles; allow-list ${allowFile.allow.length} entries`,
  );
  for (const u of result.unexpected) console.error(`  new violation (not allowed): ${u}`);
  for (const s of result.stale) {
    console.error(`  allow-list entry no longer occurs (delete it, or run with --prune): ${s}`);
  }
  if (result.unexpected.length > 0 || result.stale.length > 0) {
    console.error(
      'boundaries: FAILED. Import another module only through its src/modules/<noun>/index.ts; ' +
        "name only your module's tables in SQL (scripts/table-owners.json); " +
        'the allow-list in scripts/boundaries.allow.json may only shrink.',
    );
    process.exitCode = 1;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
