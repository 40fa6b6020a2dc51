import { defineConfig } from 'vitest/config';
import { LongFilesFirst } from './test/fixtures/sequencer.ts';

// The projects: pure unit tests (twice, the second time in a daylight-saving zone), the
// data-layer/end-to-end suite run twice, once on embedded PGlite and once on the PostgreSQL server
// (DATABASE_URL or the local one), and the files that run real processes (crash, load, browser).
const dbInclude = ['src/**/*.db.test.ts', 'test/**/*.test.ts'];
const dbExclude = ['test/browser/**', 'test/crash/**', 'test/load/**'];

// Vitest's default is one worker per core minus one: a single worker on a 2-core machine, which runs
// the ~120 files one after another. Most of a data-layer, crash or browser file's time is spent
// waiting on PostgreSQL, a server process or Chromium, so more workers than cores pay off (see
// docs/testing.md for the measurements). TRASLADO_TEST_WORKERS overrides.
const WORKERS = Number(process.env.TRASLADO_TEST_WORKERS ?? 3);

// The in-process projects (unit, unit-madrid, pglite, postgres) run without isolation: a worker
// imports the app once and runs file after file of its project, instead of a fresh process
// importing it again for every file (~1–2 s of CPU each, ~150 files). Each file still opens its own
// database and app, and closes them; what a module keeps between files is a cache, never a test's
// state. Vitest reuses a worker only when the next file queued is of the same project, so the
// sequencer keeps a project's files together. The projects that run real processes (crash, load,
// browser) keep one fresh worker per file. Measured in docs/testing.md: the two database projects
// took 364 s and 595 CPU-seconds instead of 661 s and 1,169.

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    maxWorkers: WORKERS,
    sequence: { sequencer: LongFilesFirst },
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          isolate: false,
          // The console's pure helpers (web/src/number.ts) and the scripts' checks are tested here too.
          include: ['src/**/*.test.ts', 'web/src/**/*.test.ts', 'scripts/**/*.test.ts'],
          exclude: ['src/**/*.db.test.ts', 'src/**/*.madrid.test.ts'],
        },
      },
      {
        extends: true,
        // The domain rules again in a zone with daylight saving: dates must not depend on where
        // the process runs (src/domain/calendar.ts). Before the planner tests used UTC helpers,
        // their timeline steps landed an hour early here.
        test: {
          name: 'unit-madrid',
          isolate: false,
          include: ['src/domain/**/*.test.ts'],
          exclude: ['src/**/*.db.test.ts'],
          env: { TZ: 'Europe/Madrid' },
        },
      },
      {
        extends: true,
        test: {
          name: 'pglite',
          isolate: false,
          include: dbInclude,
          exclude: dbExclude,
          env: { TRASLADO_TEST_DB: 'pglite' },
          globalSetup: ['test/fixtures/global-setup-pglite.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'postgres',
          isolate: false,
          include: dbInclude,
          exclude: dbExclude,
          env: { TRASLADO_TEST_DB: 'postgres' },
          globalSetup: ['test/fixtures/global-setup-postgres.ts'],
        },
      },
      {
        extends: true,
        // Crash tests run real server processes on the PostgreSQL server and kill them.
        test: {
          name: 'crash',
          include: ['test/crash/**/*.test.ts'],
          env: { TRASLADO_TEST_DB: 'postgres' },
          globalSetup: ['test/fixtures/global-setup-postgres.ts'],
          testTimeout: 300_000,
        },
      },
      {
        extends: true,
        // A bounded loopback load test against a real server process on PostgreSQL.
        test: {
          name: 'load',
          include: ['test/load/**/*.test.ts'],
          env: { TRASLADO_TEST_DB: 'postgres' },
          globalSetup: ['test/fixtures/global-setup-postgres.ts'],
          testTimeout: 300_000,
        },
      },
      {
        extends: true,
        // The console in Debian's Chromium (playwright-core).
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          env: { TRASLADO_TEST_DB: 'pglite' },
          globalSetup: ['test/fixtures/global-setup-pglite.ts'],
          testTimeout: 300_000,
        },
      },
    ],
  },
});
