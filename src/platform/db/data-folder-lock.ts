import { randomUUID } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, realpathSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';

/**
 * One process per embedded data folder. PGlite is PostgreSQL in one process with no shared
 * memory: a second process that opens the same folder writes over the first one's pages (a
 * corrupt index was the result). So whoever opens a folder first holds `<folder>.lock`, a file
 * beside the folder (beside, so `restore` can swap whole folders under one lock and backups never
 * carry it), made whole and then hard-linked into place: the link either creates the lock or
 * fails, and never leaves a half-written one. It names the holder; a lock whose holder is gone (a
 * SIGKILL, a crash, a reboot) is stale and the next opener takes it over.
 */
export interface LockHolder {
  pid: number;
  /** The holder's start time in clock ticks since boot (/proc/<pid>/stat), where there is /proc. */
  startTime: string | null;
  /** The kernel's boot id: a lock from before a reboot is stale whatever its pid. */
  bootId: string | null;
  host: string;
  command: string;
  /** When the lock was taken (ISO 8601). */
  since: string;
  /** Tells this lock apart from any other, so a holder only ever removes its own. */
  token: string;
}

export interface DataFolderLock {
  readonly dataDir: string;
  readonly file: string;
  readonly holder: LockHolder;
  /** Removes the lock file if it is still this lock's; safe to call twice. */
  release(): void;
}

export class DataFolderBusyError extends Error {
  constructor(
    readonly dataDir: string,
    readonly file: string,
    readonly holder: LockHolder,
  ) {
    super(busyMessage(dataDir, file, holder));
    this.name = 'DataFolderBusyError';
  }
}

function busyMessage(dataDir: string, file: string, h: LockHolder): string {
  const where = h.host === hostname() ? '' : ` on host ${h.host}`;
  const lines = [
    `the embedded database ${dataDir} is in use by process ${h.pid}${where} (${h.command}) since ${h.since}.`,
    'PGlite is one process: stop that process first (or let it finish), then run this again.',
    'To run a server and commands at the same time, use a PostgreSQL server (set DATABASE_URL), which they can share.',
  ];
  if (where)
    lines.push(`This machine cannot tell whether that process still runs: if it does not, delete ${file}.`);
  return lines.join('\n');
}

/** The lock file of a data folder: beside the folder itself (symbolic links followed), `<name>.lock`. */
export function lockFileOf(dataDir: string): string {
  let real: string;
  try {
    real = realpathSync(dataDir);
  } catch {
    // Not made yet: the same name the folder will have once made.
    real = join(realpathSync(dirname(dataDir)), basename(dataDir));
  }
  return `${real}.lock`;
}

function readOptional(path: string): string | null {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return null;
  }
}

/** Fields of /proc/<pid>/stat after the command name (which may hold spaces and parentheses). */
function procStat(pid: number): string[] | null {
  const stat = readOptional(`/proc/${pid}/stat`);
  if (!stat) return null;
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** Field 22 of /proc/<pid>/stat (index 19 after the name): start time in ticks since boot. */
export function processStartTime(pid: number): string | null {
  return procStat(pid)?.[19] ?? null;
}

function bootId(): string | null {
  return readOptional('/proc/sys/kernel/random/boot_id');
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: it exists, owned by another user.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  // A zombie has exited; only its parent has not collected it yet.
  return procStat(pid)?.[0] !== 'Z';
}

function commandLine(): string {
  return [basename(process.argv0 || 'node'), ...process.argv.slice(1)].join(' ').slice(0, 500);
}

/** Whether the process a lock names is gone; a lock on another host is never judged stale here. */
export function isStale(h: LockHolder): boolean {
  if (h.host !== hostname()) return false;
  const boot = bootId();
  if (h.bootId && boot && h.bootId !== boot) return true;
  if (!isAlive(h.pid)) return true;
  const started = processStartTime(h.pid);
  // The pid is taken, by the holder or by a later process that was given the same number.
  return !!(h.startTime && started && h.startTime !== started);
}

function parseHolder(text: string): LockHolder | null {
  try {
    const h = JSON.parse(text) as Partial<LockHolder>;
    if (
      typeof h.pid === 'number' &&
      Number.isInteger(h.pid) &&
      h.pid > 0 &&
      typeof h.host === 'string' &&
      typeof h.token === 'string'
    )
      return {
        pid: h.pid,
        startTime: typeof h.startTime === 'string' ? h.startTime : null,
        bootId: typeof h.bootId === 'string' ? h.bootId : null,
        host: h.host,
        command: typeof h.command === 'string' ? h.command : '?',
        since: typeof h.since === 'string' ? h.since : '?',
        token: h.token,
      };
  } catch {
    // not JSON: below
  }
  return null;
}

/**
 * Creates `path` with `content` only if it does not exist: the content is written whole to a file
 * of our own first, then hard-linked to `path` (atomic; EEXIST when taken).
 */
function createWhole(path: string, content: string): boolean {
  const tmp = `${path}.${process.pid}.${randomUUID()}.tmp`;
  writeFileSync(tmp, content, { flag: 'wx', mode: 0o644 });
  try {
    linkSync(tmp, path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    unlinkSync(tmp);
  }
}

/** Removes `path` if it still holds `expected` (a file is only removed by whoever judged it). */
function removeIfSame(path: string, expected: string): void {
  if (readOptional(path) !== expected) return;
  try {
    unlinkSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

// Locks this process holds, released on exit and on a signal nobody else handles.
const held = new Set<DataFolderLock>();
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

function releaseAll() {
  for (const lock of [...held]) lock.release();
}

function onSignal(signal: NodeJS.Signals) {
  // A command with its own handler (the server's shutdown, apply's Ctrl-C) closes the database,
  // which releases the lock. Otherwise the signal would end the process without an exit event:
  // release, then let the signal do what it does by default.
  if (process.listenerCount(signal) > 1) return;
  releaseAll();
  unhook();
  process.kill(process.pid, signal);
}

function hook() {
  if (held.size !== 1) return;
  process.on('exit', releaseAll);
  for (const s of SIGNALS) process.on(s, onSignal);
}

function unhook() {
  process.off('exit', releaseAll);
  for (const s of SIGNALS) process.off(s, onSignal);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Takes the lock of `dataDir` (the folder need not exist; its parent is made), or throws
 * DataFolderBusyError naming the holder. A stale lock is taken over under a short-lived guard
 * file (`<lock>.takeover`), so of many processes that find the same stale lock one wins.
 */
export async function acquireDataFolderLock(dataDir: string): Promise<DataFolderLock> {
  mkdirSync(dirname(dataDir), { recursive: true });
  const file = lockFileOf(dataDir);
  const guard = `${file}.takeover`;
  const holder: LockHolder = {
    pid: process.pid,
    startTime: processStartTime(process.pid),
    bootId: bootId(),
    host: hostname(),
    command: commandLine(),
    since: new Date().toISOString(),
    token: randomUUID(),
  };
  const content = JSON.stringify(holder);
  // Waiting is only ever for another opener's takeover, which takes milliseconds.
  const deadline = Date.now() + 5_000;
  for (;;) {
    if (createWhole(file, content)) break;
    const seen = readOptional(file);
    if (seen === null) continue; // released in between: try again
    const current = parseHolder(seen);
    // An unreadable lock was not written by this code (it never writes part of one): stale.
    if (current && !isStale(current)) throw new DataFolderBusyError(dataDir, file, current);
    if (createWhole(guard, content)) {
      try {
        // Under the guard nobody else removes the lock: remove it only if it is still the stale one.
        removeIfSame(file, seen);
      } finally {
        removeIfSame(guard, content);
      }
      continue;
    }
    const guardText = readOptional(guard);
    const guardHolder = guardText === null ? null : parseHolder(guardText);
    if (guardText !== null && (!guardHolder || isStale(guardHolder))) {
      // Its holder died within the few milliseconds of a takeover.
      removeIfSame(guard, guardText);
      continue;
    }
    if (Date.now() > deadline) throw new DataFolderBusyError(dataDir, file, guardHolder ?? current ?? holder);
    await sleep(10 + Math.random() * 20);
  }
  const lock: DataFolderLock = {
    dataDir,
    file,
    holder,
    release() {
      if (!held.delete(lock)) return;
      removeIfSame(file, content);
      if (held.size === 0) unhook();
    },
  };
  held.add(lock);
  hook();
  return lock;
}
