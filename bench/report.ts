/**
 * How the bench prints a figure: one line each, `  <key>  <number> <unit>  [target …: met|not met]`,
 * so people can read it and test/load/bench-small.test.ts can parse it. Nothing is asserted here:
 * a missed target is printed as "not met", never thrown.
 */
export interface Target {
  op: '≤' | '≥';
  value: number;
  unit: string;
  /** What the target applies to when it is not this run's size (e.g. "full size, 2 cores"). */
  note?: string;
}

export interface Figure {
  key: string;
  value: number;
  unit: string;
  target?: Target;
  met?: boolean;
}

export const figures: Figure[] = [];

function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Math.abs(n) >= 100) return Math.round(n).toString();
  if (Math.abs(n) >= 10) return n.toFixed(1);
  return n.toFixed(2);
}

export function heading(text: string) {
  console.log(`\n${text}`);
}

export function note(text: string) {
  console.log(`  # ${text}`);
}

/** Prints one figure with its target (if any) and whether this run met it. */
export function figure(key: string, value: number, unit: string, target?: Target): Figure {
  const met =
    target && Number.isFinite(value)
      ? target.op === '≤'
        ? value <= target.value
        : value >= target.value
      : undefined;
  const f: Figure = { key, value, unit, ...(target ? { target, met: !!met } : {}) };
  figures.push(f);
  let line = `  ${key.padEnd(30)} ${fmt(value).padStart(10)} ${unit.padEnd(8)}`;
  if (target) {
    line += ` target ${target.op} ${fmt(target.value)} ${target.unit}${target.note ? ` (${target.note})` : ''}: ${met ? 'met' : 'not met'}`;
  }
  console.log(line);
  return f;
}

/** Command-line flags: `--small`, `--customers 10000`, `--only plan,api`. */
export function parseArgs(argv: string[]) {
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) continue;
    const [k, inline] = a.slice(2).split('=', 2) as [string, string | undefined];
    const next = argv[i + 1];
    if (inline !== undefined) flags.set(k, inline);
    else if (next !== undefined && !next.startsWith('--')) {
      flags.set(k, next);
      i++;
    } else flags.set(k, true);
  }
  const num = (k: string, fallback: number) => {
    const v = flags.get(k);
    if (v === undefined || v === true) return fallback;
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${k} expects a positive number, not "${v}"`);
    return n;
  };
  return { flags, num, has: (k: string) => flags.has(k) };
}
