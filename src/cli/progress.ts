import cliProgress from 'cli-progress';
import { DataFolderBusyError } from '../platform/db/data-folder-lock.ts';
import { isDomainError } from '../platform/errors.ts';

/**
 * Progress of a long CLI run on stderr: a bar with count, rate and ETA on a terminal; plain lines
 * (at most one a second, and the last) when stderr is not a terminal, e.g. in a log or a pipe.
 */
export interface Progress {
  update(done: number, total: number): void;
  stop(): void;
}

export function startProgress(label: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  const started = Date.now();
  const rate = (done: number) => done / Math.max(0.001, (Date.now() - started) / 1000);
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream,
        format: `${label} [{bar}] {value}/{total} | {rate}/s | ETA {eta_formatted}`,
        hideCursor: true,
        etaBuffer: 50,
      },
      cliProgress.Presets.shades_classic,
    );
    let begun = false;
    return {
      update(done, total) {
        if (!begun) {
          bar.start(total, 0, { rate: '0.0' });
          begun = true;
        }
        bar.setTotal(total);
        bar.update(done, { rate: rate(done).toFixed(1) });
      },
      stop() {
        if (begun) bar.stop();
        begun = false;
      },
    };
  }
  let last = 0;
  return {
    update(done, total) {
      const now = Date.now();
      if (now - last < 1000 && done < total) return;
      last = now;
      const r = rate(done);
      const eta = r > 0 ? Math.round((total - done) / r) : 0;
      stream.write(`${label} ${done}/${total} (${r.toFixed(1)}/s, ETA ${eta}s)\n`);
    },
    stop() {},
  };
}

export function peakRssLine(bytes: number) {
  return `peak RSS ${(bytes / 1024 / 1024).toFixed(0)} MB`;
}

/** An operator's mistake (unknown partner, missing file, a data folder in use) is one message on stderr and exit 1, not a stack. */
export function printCliError(err: unknown): void {
  const e = err as { code?: string; params?: Record<string, unknown>; path?: string; message?: string };
  if (isDomainError(err)) {
    const params = Object.entries(e.params ?? {})
      .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join(', ');
    console.error(`error: ${err.code}${params ? ` (${params})` : ''}`);
  } else if (err instanceof DataFolderBusyError) console.error(`error: ${err.message}`);
  else if (e.code === 'ENOENT') console.error(`error: no such file: ${e.path}`);
  else throw err;
  process.exitCode = 1;
}
