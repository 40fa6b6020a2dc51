import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// Money is integers in minor units (SPEC §8): these shapes are how float arithmetic creeps into
// amounts (a percent as a factor, a division by 100 or 12, rounding a binary fraction, parsing one).
const FLOAT_MONEY = [
  { name: 'parseFloat', re: /\bparseFloat\s*\(/ },
  { name: 'toFixed', re: /\.toFixed\s*\(/ },
  { name: 'Math.round', re: /\bMath\.round\s*\(/ },
  { name: 'division by 100', re: /\/\s*100(?![\d_])/ },
  { name: 'division by 12', re: /\/\s*12(?![\d_])/ },
  { name: 'a decimal factor', re: /[*/]\s*\d*\.\d/ },
  { name: 'a percent factor', re: /[*/]\s*\(?\s*1\s*\+/ },
];

const ROOTS = ['src/domain/billing', 'src/modules/billing'];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [p] : [];
  });
}

/** Code without comments and string literals: the rule is about arithmetic, not prose. */
function code(text: string): string {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/(^|[^:])\/\/.*$/gm, '$1')
    .replace(/'(?:\\.|[^'\\])*'|"(?:\\.|[^"\\])*"|`(?:\\.|[^`\\])*`/g, "''");
}

function floatMoneyFindings(files: { path: string; text: string }[]) {
  const found: string[] = [];
  for (const f of files) {
    code(f.text)
      .split('\n')
      .forEach((line, i) => {
        for (const p of FLOAT_MONEY)
          if (p.re.test(line)) found.push(`${f.path}:${i + 1} ${p.name}: ${line.trim()}`);
      });
  }
  return found;
}

describe('no float money in billing', () => {
  it('scans the billing domain and module and finds no float arithmetic', () => {
    const files = ROOTS.flatMap(sources).map((path) => ({ path, text: readFileSync(path, 'utf8') }));
    expect(files.length).toBeGreaterThan(4);
    expect(floatMoneyFindings(files)).toEqual([]);
  });
  it('catches each shape it looks for', () => {
    const bad = [
      'const a = Math.round(price * 1.21);',
      'const b = parseFloat(text);',
      'const c = (cents / 100).toFixed(2);',
      'const m = annual / 12;',
      'const x = cost * (1 + markup);',
      'const y = cost * 0.5;',
    ];
    const found = floatMoneyFindings(bad.map((text, i) => ({ path: `x${i}.ts`, text })));
    expect(found.map((f) => f.split(':')[0])).toEqual([
      'x0.ts',
      'x0.ts',
      'x1.ts',
      'x2.ts',
      'x2.ts',
      'x3.ts',
      'x4.ts',
      'x5.ts',
    ]);
    // Comments and strings are prose, not arithmetic.
    expect(floatMoneyFindings([{ path: 'ok.ts', text: "// 12.5 / 100\nconst s = 'a / 100';" }])).toEqual([]);
  });
});
