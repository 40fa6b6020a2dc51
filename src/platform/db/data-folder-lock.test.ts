import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  acquireDataFolderLock,
  DataFolderBusyError,
  type DataFolderLock,
  isStale,
  type LockHolder,
  lockFileOf,
  processStartTime,
} from './data-folder-lock.ts';

/**
 * The data-folder lock against real processes: one holder at a time, a clear refusal naming it,
 * release on close, on exit and on a signal, and takeover of a lock whose holder is gone (killed,
 * a zombie, its pid given to another process, a reboot), with one winner among racing openers.
 */
const SOURCE = new URL('./data-folder-lock.ts', import.meta.url).pathname;
let root: string;
// The children load the module compiled to one file: node starts in ~50 ms, with tsx in ~1 s.
let MODULE: string;
let n = 0;
const held: DataFolderLock[] = [];
const children: ChildProcess[] = [];

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'traslado-lock-'));
  MODULE = join(root, 'data-folder-lock.mjs');
  await build({
    entryPoints: [SOURCE],
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile: MODULE,
    logLevel: 'silent',
  });
});
afterEach(() => {
  for (const l of held.splice(0)) l.release();
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const folder = () => join(root, `data-${++n}`);
async function acquire(dir: string) {
  const l = await acquireDataFolderLock(dir);
  held.push(l);
  return l;
}
const readLock = (dir: string) => JSON.parse(readFileSync(`${dir}.lock`, 'utf8')) as LockHolder;
const plant = (dir: string, h: Partial<LockHolder>) =>
  writeFileSync(
    `${dir}.lock`,
    JSON.stringify({
      pid: process.pid,
      startTime: processStartTime(process.pid),
      bootId: readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim(),
      host: hostname(),
      command: 'traslado start',
      since: '2026-01-01T00:00:00.000Z',
      token: 'planted',
      ...h,
    }),
  );

/** The pid of a process that has exited and been collected. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
  return Number(r.stdout.trim());
}

/**
 * A child that takes locks. `race`: on "go T" (a time in ms) it tries each of `dirs` in turn, the
 * i-th at T + 40·i exactly (spinning until then, so that racers collide), prints
 * "results [won|busy <pid>, ...]" and holds what it won until stdin ends. `hold`: takes the lock of
 * `dirs[0]`, prints "held", then exits on its own (no release call) when stdin ends, or waits for a
 * signal.
 */
function child(dirs: string[], mode: 'race' | 'hold') {
  const code = `
    const { acquireDataFolderLock } = await import(${JSON.stringify(MODULE)});
    const dirs = ${JSON.stringify(dirs)};
    const say = (s) => process.stdout.write(s + '\\n');
    const ended = new Promise((r) => process.stdin.on('end', r));
    process.stdin.resume();
    if (${JSON.stringify(mode)} === 'race') {
      say('ready');
      const go = Number(String(await new Promise((r) => process.stdin.once('data', r))).split(' ')[1]);
      const results = [];
      for (const [i, dir] of dirs.entries()) {
        while (Date.now() < go + 40 * i) {}
        try {
          await acquireDataFolderLock(dir);
          results.push('won');
        } catch (e) {
          results.push(e.name === 'DataFolderBusyError' ? 'busy ' + e.holder.pid : 'error ' + e.message);
        }
      }
      say('results ' + JSON.stringify(results));
      await ended;
    } else {
      await acquireDataFolderLock(dirs[0]);
      say('held');
      await ended;
      process.exit(0);
    }`;
  const c = spawn(process.execPath, ['--input-type=module', '-e', code], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  children.push(c);
  let out = '';
  const waiters: (() => void)[] = [];
  c.stdout!.on('data', (d) => {
    out += d;
    for (const w of waiters.splice(0)) w();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    c.once('exit', (code, signal) => r({ code, signal })),
  );
  return {
    c,
    exited,
    output: () => out,
    async until(text: string | RegExp) {
      const seen = () => (typeof text === 'string' ? out.includes(text) : text.test(out));
      while (!seen()) {
        if (c.exitCode !== null) throw new Error(`child exited before ${String(text)}: ${out}`);
        await new Promise<void>((r) => waiters.push(r));
      }
    },
  };
}

describe('data-folder lock', () => {
  it('writes the holder (pid, start time, command, host, since) beside the folder, and removes it on release', async () => {
    const dir = folder();
    const before = Date.now();
    const lock = await acquire(dir);
    expect(lock.file).toBe(`${dir}.lock`);
    const h = readLock(dir);
    expect(h).toMatchObject({ pid: process.pid, host: hostname(), token: lock.holder.token });
    expect(h.startTime).toMatch(/^\d+$/);
    expect(h.startTime).toBe(processStartTime(process.pid));
    expect(h.command).toContain(process.argv[1]);
    expect(Date.parse(h.since)).toBeGreaterThanOrEqual(before - 1000);
    lock.release();
    expect(existsSync(`${dir}.lock`)).toBe(false);
    lock.release(); // twice is harmless
    // Free again: the next opener takes it.
    await acquire(dir);
    expect(readLock(dir).token).not.toBe(h.token);
  });

  it('refuses a second opener, in this process or another, naming the holder and what to do', async () => {
    const dir = folder();
    const lock = await acquire(dir);
    const err = await acquireDataFolderLock(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataFolderBusyError);
    const busy = err as DataFolderBusyError;
    expect(busy.holder.token).toBe(lock.holder.token);
    expect(busy.message).toContain(`process ${process.pid}`);
    expect(busy.message).toContain(lock.holder.command);
    expect(busy.message).toContain(`since ${lock.holder.since}`);
    expect(busy.message).toMatch(/stop that process/);
    expect(busy.message).toMatch(/DATABASE_URL/);
    // The refused attempt left the holder's lock as it was.
    expect(readLock(dir).token).toBe(lock.holder.token);

    const other = child([dir], 'race');
    await other.until('ready');
    other.c.stdin!.write(`go ${Date.now()}`);
    await other.until('results');
    expect(other.output()).toContain(`results ["busy ${process.pid}"]`);
    other.c.stdin!.end();
    await other.exited;
    expect(readLock(dir).token).toBe(lock.holder.token);
  });

  it('is one lock for every name of the folder (a symbolic link, a trailing slash)', async () => {
    const dir = folder();
    mkdirSync(dir);
    const link = join(root, `link-${n}`);
    symlinkSync(dir, link);
    expect(lockFileOf(link)).toBe(`${dir}.lock`);
    expect(lockFileOf(`${dir}/`)).toBe(`${dir}.lock`);
    await acquire(dir);
    await expect(acquireDataFolderLock(link)).rejects.toBeInstanceOf(DataFolderBusyError);
  });

  it('takes over a lock whose holder was killed (SIGKILL leaves the file behind)', async () => {
    const dir = folder();
    const holder = child([dir], 'hold');
    await holder.until('held');
    const theirs = readLock(dir);
    expect(theirs.pid).toBe(holder.c.pid);
    await expect(acquireDataFolderLock(dir)).rejects.toBeInstanceOf(DataFolderBusyError);
    holder.c.kill('SIGKILL');
    await holder.exited;
    expect(readLock(dir).token).toBe(theirs.token); // left behind
    expect(isStale(theirs)).toBe(true);
    const lock = await acquire(dir);
    expect(readLock(dir).token).toBe(lock.holder.token);
  });

  it('releases on a normal exit and on SIGTERM, SIGINT or SIGHUP, which still end the process', async () => {
    const dir = folder();
    const exiting = child([dir], 'hold');
    await exiting.until('held');
    expect(existsSync(`${dir}.lock`)).toBe(true);
    exiting.c.stdin!.end(); // process.exit(0) without a release call
    expect(await exiting.exited).toEqual({ code: 0, signal: null });
    expect(existsSync(`${dir}.lock`)).toBe(false);

    for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
      const c = child([dir], 'hold');
      await c.until('held');
      expect(readLock(dir).pid).toBe(c.c.pid);
      c.c.kill(signal);
      expect(await c.exited).toEqual({ code: null, signal });
      expect(existsSync(`${dir}.lock`)).toBe(false);
    }
  });

  it('judges a lock stale when its pid is gone, reused by another process, or from before a reboot', async () => {
    // Gone.
    const gone = folder();
    plant(gone, { pid: deadPid(), token: 'gone' });
    expect((await acquire(gone)).holder.pid).toBe(process.pid);

    // Reused: the pid is alive (ours) but started at another time than the holder did.
    const reused = folder();
    plant(reused, { startTime: String(Number(processStartTime(process.pid)) - 1), token: 'reused' });
    expect((await acquire(reused)).holder.token).toBe(readLock(reused).token);
    expect(readLock(reused).token).not.toBe('reused');

    // The same pid and start time: that is the holder, alive.
    const alive = folder();
    plant(alive, { token: 'alive' });
    await expect(acquireDataFolderLock(alive)).rejects.toBeInstanceOf(DataFolderBusyError);
    expect(readLock(alive).token).toBe('alive');

    // A reboot since: every pid of that boot is gone, even one that is alive now.
    const rebooted = folder();
    plant(rebooted, { bootId: '00000000-0000-0000-0000-000000000000', token: 'rebooted' });
    await acquire(rebooted);
    expect(readLock(rebooted).token).not.toBe('rebooted');
  });

  it('judges a zombie holder gone', async () => {
    // `sleep 0.3` runs in the background of a shell that then becomes `sleep 5`, which never collects
    // it. It must outlive the shell's last instant as a shell: a shell reaps a background child that
    // has already ended before it execs (`sleep 0` here was sometimes reaped, and its pid gone).
    const parent = spawn('sh', ['-c', 'sleep 0.3 & echo $!; exec sleep 5'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    children.push(parent);
    const pid = await new Promise<number>((r) =>
      parent.stdout!.once('data', (d) => r(Number(String(d).trim()))),
    );
    for (let i = 0; i < 500 && !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z '); i++)
      await new Promise((r) => setTimeout(r, 20));
    expect(readFileSync(`/proc/${pid}/stat`, 'utf8')).toContain(') Z ');
    const dir = folder();
    plant(dir, { pid, startTime: processStartTime(pid), token: 'zombie' });
    await acquire(dir);
    expect(readLock(dir).token).not.toBe('zombie');
  });

  it('never judges a lock of another host, and says how to clear it', async () => {
    const dir = folder();
    plant(dir, { pid: deadPid(), host: 'elsewhere', token: 'elsewhere' });
    const err = (await acquireDataFolderLock(dir).catch((e: unknown) => e)) as DataFolderBusyError;
    expect(err).toBeInstanceOf(DataFolderBusyError);
    expect(err.message).toContain('on host elsewhere');
    expect(err.message).toContain(`delete ${dir}.lock`);
    expect(readLock(dir).token).toBe('elsewhere');
  });

  it('takes over an unreadable lock and one left with a takeover guard of a dead process', async () => {
    const dir = folder();
    writeFileSync(`${dir}.lock`, '{"pid":');
    await acquire(dir);
    expect(readLock(dir).pid).toBe(process.pid);

    const guarded = folder();
    plant(guarded, { pid: deadPid(), token: 'stale' });
    writeFileSync(`${guarded}.lock.takeover`, JSON.stringify({ ...readLock(guarded), token: 'guard' }));
    await acquire(guarded);
    expect(readLock(guarded).pid).toBe(process.pid);
    expect(existsSync(`${guarded}.lock.takeover`)).toBe(false);
  });

  it('release removes only its own lock', async () => {
    const dir = folder();
    const lock = await acquire(dir);
    plant(dir, { token: 'someone-else' });
    lock.release();
    expect(readLock(dir).token).toBe('someone-else');
  });

  for (const start of ['free folders', 'stale locks'] as const)
    it(`gives each of 15 ${start} to exactly one of 6 processes trying at the same instant`, async () => {
      const dirs = Array.from({ length: 15 }, folder);
      if (start === 'stale locks') {
        const dead = deadPid();
        for (const d of dirs) plant(d, { pid: dead, token: 'stale' });
      }
      const racers = Array.from({ length: 6 }, () => child(dirs, 'race'));
      await Promise.all(racers.map((r) => r.until('ready')));
      const go = Date.now() + 300;
      for (const r of racers) r.c.stdin!.write(`go ${go}`);
      await Promise.all(racers.map((r) => r.until(/^results .*$/m)));
      const results = racers.map((r) => JSON.parse(/^results (.*)$/m.exec(r.output())![1]!) as string[]);
      expect(results.every((r) => r.length === dirs.length)).toBe(true);
      for (const [i, dir] of dirs.entries()) {
        const winners = racers.filter((_, k) => results[k]![i] === 'won');
        expect(winners, dir).toHaveLength(1);
        const winner = winners[0]!;
        // Every other one was refused, naming the winner.
        expect(results.filter((r) => r[i] === `busy ${winner.c.pid}`)).toHaveLength(racers.length - 1);
        expect(readLock(dir).pid).toBe(winner.c.pid);
      }
      for (const r of racers) r.c.stdin!.end();
      await Promise.all(racers.map((r) => r.exited));
      // Each winner released on its way out.
      expect(dirs.filter((d) => existsSync(`${d}.lock`))).toEqual([]);
    }, 60_000);
});
