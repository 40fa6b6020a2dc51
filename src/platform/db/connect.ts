import { createHash } from 'node:crypto';
import { mkdir, readdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { acquireDataFolderLock, type DataFolderLock } from './data-folder-lock.ts';
import type { Database, Db } from './database.ts';
import { PGliteDialect, type PGliteDriver } from './pglite-dialect.ts';
import { parseTimestamptz, TIMESTAMPTZ_OID } from './timestamptz.ts';

/** Raw SQL access for the job queue: parameterised when values are given, multi-statement otherwise. */
export type ExecuteSql = (text: string, values?: unknown[]) => Promise<{ rows: unknown[] }>;

export interface DatabaseHandle {
  db: Db;
  kind: 'pglite' | 'postgres';
  /** Human-readable: which database this process talks to (logged at start and by the tests). */
  describe: string;
  executeSql: ExecuteSql;
  close(): Promise<void>;
  pglite?: PGlite;
  pool?: pg.Pool;
  /**
   * Calls `fn` on every notice of AUTH_CHANNEL (migration 0027's triggers), from any process, and
   * with `connection` when a new pooled connection starts listening (it may have missed one).
   * Every PostgreSQL connection listens, from its start; PGlite's one session listens once asked.
   * Returns the call that stops it.
   */
  onAuthNotice(fn: (what: 'notice' | 'connection') => void): Promise<() => Promise<void>>;
}

/**
 * A statement ending with this comment is prepared once per PostgreSQL connection (a named
 * statement: parsed and planned once, then only bound and run), for the hot reads; see
 * `preparedStatement`. PGlite ignores it (a comment).
 */
export const PREPARE_MARK = '/* prepared */';
const preparedNames = new Map<string, string>();
function preparedName(text: string): string {
  let name = preparedNames.get(text);
  if (!name) {
    // Few statements carry the mark; the map is bounded all the same.
    if (preparedNames.size >= 1000) preparedNames.clear();
    name = `traslado_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    preparedNames.set(text, name);
  }
  return name;
}

/** The channel the triggers of migration 0027 announce sign-in changes on. */
export const AUTH_CHANNEL = 'traslado_auth';

// int8 and numeric come back as strings from pg by default; our ids of bigserial and counts
// stay well under 2^53, so parse them as numbers, as PGlite already does.
const INT8_OID = 20;
const int8 = (v: string) => Number(v);

export function openPostgres(url: string, opts: { max?: number } = {}): DatabaseHandle {
  const noticed = new Set<(what: 'notice' | 'connection') => void>();
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.max ?? 10,
    // Awaited by the pool before it hands the connection out: it listens before its first use.
    onConnect: async (client: pg.ClientBase) => {
      const query = client.query.bind(client) as (...a: unknown[]) => unknown;
      (client as { query: unknown }).query = (text: unknown, ...rest: unknown[]) =>
        typeof text === 'string' && text.endsWith(PREPARE_MARK)
          ? query({ name: preparedName(text), text, values: rest[0] }, ...rest.slice(1))
          : query(text, ...rest);
      client.on('notification', (msg) => {
        if (msg.channel === AUTH_CHANNEL) for (const fn of noticed) fn('notice');
      });
      await client.query(`LISTEN ${AUTH_CHANNEL}`);
      for (const fn of noticed) fn('connection');
    },
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID
          ? int8
          : oid === TIMESTAMPTZ_OID && format !== 'binary'
            ? parseTimestamptz
            : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
    },
  });
  pool.on('error', () => {
    // An idle client lost its connection (server restart); the pool replaces it on next use.
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const safeUrl = url.replace(/\/\/[^@/]*@/, '//');
  return {
    db,
    kind: 'postgres',
    describe: `PostgreSQL server (${safeUrl})`,
    pool,
    executeSql: async (text, values) => {
      const res = await pool.query(text, values && values.length > 0 ? values : undefined);
      const last = Array.isArray(res) ? res[res.length - 1] : res;
      return { rows: last?.rows ?? [] };
    },
    close: async () => {
      await db.destroy();
    },
    onAuthNotice: async (fn) => {
      noticed.add(fn);
      return async () => {
        noticed.delete(fn);
      };
    },
  };
}

export interface PGliteOpenOptions {
  /** A folder on disk, or undefined for an in-memory database. */
  dataDir?: string;
  /** A data-folder tarball (from `dumpDataDir`) to start from instead of running initdb. */
  loadDataDir?: Blob;
  /** The folder's lock when the caller took it already; else it is taken here. Closing releases it. */
  lock?: DataFolderLock;
  /** Small shared memory (IN_MEMORY_START_PARAMS); by default for an in-memory database only. */
  smallMemory?: boolean;
}

/**
 * An in-memory database (the tests' copies of the template, template builds) holds little data and
 * only ever has PGlite's one session, so it starts with small shared memory: PostgreSQL zeroes
 * `shared_buffers` (128 MB by default) and sizes its lock and process tables by `max_connections`
 * at every start, which cost about 0.8 s of CPU of the ~2.5 s an open from the template took
 * (docs/testing.md). A folder on disk keeps the defaults.
 */
const IN_MEMORY_START_PARAMS = ['-c', 'shared_buffers=8MB', '-c', 'max_connections=5'];
/**
 * Every open: no startup-progress timer. PostgreSQL arms one (every 10 s) while it starts up, and
 * in PGlite it is a JavaScript timer that outlives `close()` and re-arms: a process that opened a
 * database from a tarball (the tests' main process building the copy template) never exited alone.
 */
const ALWAYS_START_PARAMS = ['-c', 'log_startup_progress_interval=0'];
export function startParamsFor(small: boolean): { startParams: string[] } {
  return {
    startParams: [
      ...PGlite.defaultStartParams,
      ...(small ? IN_MEMORY_START_PARAMS : []),
      ...ALWAYS_START_PARAMS,
    ],
  };
}

/** A folder on disk is opened under its lock (data-folder-lock.ts); an in-memory database needs none. */
export async function openPGlite(opts: PGliteOpenOptions = {}): Promise<DatabaseHandle> {
  const lock = opts.dataDir ? (opts.lock ?? (await acquireDataFolderLock(opts.dataDir))) : undefined;
  let pglite: PGlite;
  try {
    if (opts.dataDir) await mkdir(opts.dataDir, { recursive: true });
    const isEmpty = opts.dataDir ? (await readdir(opts.dataDir)).length === 0 : true;
    pglite = await PGlite.create({
      ...(opts.dataDir ? { dataDir: opts.dataDir } : {}),
      ...(opts.loadDataDir && isEmpty ? { loadDataDir: opts.loadDataDir } : {}),
      ...startParamsFor(opts.smallMemory ?? !opts.dataDir),
    });
  } catch (err) {
    lock?.release();
    throw err;
  }
  const dialect = new PGliteDialect(pglite);
  const driver: PGliteDriver = dialect.driver;
  const db = new Kysely<Database>({ dialect });
  return {
    db,
    kind: 'pglite',
    describe: `embedded PGlite (${opts.dataDir ?? 'in memory'})`,
    pglite,
    executeSql: (text, values) =>
      driver.runExclusive(async (p) => {
        if (values && values.length > 0) return { rows: (await p.query(text, values)).rows };
        const results = await p.exec(text);
        return { rows: results[results.length - 1]?.rows ?? [] };
      }),
    // One session in one process: a notice reaches the callback before the writer's statement resolves.
    onAuthNotice: async (fn) => {
      const unlisten = await driver.runExclusive((p) => p.listen(AUTH_CHANNEL, () => fn('notice')));
      return async () => {
        await driver.runExclusive(() => unlisten()).catch(() => {});
      };
    },
    close: async () => {
      try {
        await db.destroy();
      } finally {
        lock?.release();
      }
    },
  };
}
