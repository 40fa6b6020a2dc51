import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { figure, heading, note } from './report.ts';

/**
 * API read under load: `GET /api/customers/{id}/subscriptions` on a real `traslado start`
 * process (PostgreSQL, the bench database, rate limits off, request logging off), 64 concurrent
 * loopback connections for a bounded time; baseline in the same run: a bare Fastify + pg route
 * sending the very statement the API sends (bench/api-bare.ts), and beside it a plain `select *`
 * of the page. autocannon runs in this process, on the same
 * cores as both servers.
 */
const ROOT = fileURLToPath(new URL('../', import.meta.url));
const CONNECTIONS = 64;
/** Each server is loaded this long (at most the measured time) before anything is measured: JIT tiers, pools, prepared plans. */
const WARM_UP_S = 3;

/**
 * The Node flags `npm start` runs the server with (package.json's start script, between `node` and
 * the script): the server is measured as it is run, and the bare route gets the same runtime.
 */
function startFlags(): string[] {
  const pkg = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { scripts: { start: string } };
  const words = pkg.scripts.start.split(/\s+/);
  if (words[0] !== 'node')
    throw new Error(`package.json's start script does not run node: ${pkg.scripts.start}`);
  return words.slice(1, words.indexOf('bin/traslado.js'));
}

function startChild(args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => {
    err = (err + d.toString()).slice(-4000);
  });
  child.on('exit', (code) => {
    if (code && code !== 0) console.error(`  # ${args.join(' ')} exited ${code}: ${err.trim()}`);
  });
  return child;
}

async function waitHealthy(base: string, child: ChildProcess, timeoutMs = 120_000) {
  const t0 = performance.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited (${child.exitCode}) before serving`);
    if (performance.now() - t0 > timeoutMs) throw new Error(`${base} did not serve within ${timeoutMs} ms`);
    try {
      if ((await fetch(`${base}/healthz`)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function stop(child: ChildProcess) {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

async function load(url: string, durationS: number, headers: Record<string, string>) {
  const r = await autocannon({ url, connections: CONNECTIONS, duration: durationS, headers });
  return {
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    total: r.requests.total,
    seconds: r.duration,
    bad: r.non2xx + r.errors + r.timeouts,
  };
}
type Load = Awaited<ReturnType<typeof load>>;

/** Rounds of one URL as one figure: requests over seconds, the rounds' median p50 and worst p99. */
function summed(rounds: Load[]) {
  const total = rounds.reduce((n, r) => n + r.total, 0);
  const seconds = rounds.reduce((n, r) => n + r.seconds, 0);
  const p50s = rounds.map((r) => r.p50).sort((x, y) => x - y);
  return {
    rps: total / seconds,
    p50: p50s[Math.floor(p50s.length / 2)]!,
    p99: Math.max(...rounds.map((r) => r.p99)),
    total,
    bad: rounds.reduce((n, r) => n + r.bad, 0),
  };
}

export async function benchApi(opts: { databaseUrl: string; durationS: number; port?: number }) {
  heading(
    `3. API read: GET /api/customers/{id}/subscriptions, ${CONNECTIONS} connections, ${opts.durationS} s each`,
  );
  const port = opts.port ?? 3811;
  const barePort = port + 1;
  // TRASLADO_BENCH_PROFILE=<dir>: the server writes a V8 CPU profile there when it stops (the bare route in <dir>/bare).
  const prof = process.env.TRASLADO_BENCH_PROFILE;
  const profArgs = prof ? ['--cpu-prof', '--cpu-prof-dir', prof] : [];
  const flags = startFlags();
  const ours = startChild([...flags, ...profArgs, 'bin/traslado.js', 'start', '--port', String(port)], {
    DATABASE_URL: opts.databaseUrl,
    TRASLADO_RATE_LIMIT: '0',
    TRASLADO_LOGIN_RATE_LIMIT: '0',
    LOG_LEVEL: 'warn',
  });
  const bareProfArgs = prof ? ['--cpu-prof', '--cpu-prof-dir', `${prof}/bare`] : [];
  const bare = startChild([...flags, ...bareProfArgs, '--import', 'tsx', 'bench/api-bare.ts'], {
    DATABASE_URL: opts.databaseUrl,
    PORT: String(barePort),
  });
  try {
    const base = `http://127.0.0.1:${port}`;
    const bareBase = `http://127.0.0.1:${barePort}`;
    await Promise.all([waitHealthy(base, ours), waitHealthy(bareBase, bare)]);
    // The demo (seeded by the server's first start) gives a partner and its customer Northwind.
    const login = await fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'account.admin@partner.demo', password: 'traslado-demo' }),
    });
    if (!login.ok) throw new Error(`login failed: ${login.status} ${await login.text()}`);
    const { token } = (await login.json()) as { token: string };
    const headers = { authorization: `Bearer ${token}` };
    const customers = (await (await fetch(`${base}/api/customers`, { headers })).json()) as {
      items: { id: string; companyName: string }[];
    };
    const customer = customers.items.find((c) => c.companyName === 'Northwind Traders');
    if (!customer) throw new Error('the demo customer Northwind Traders is not visible to the demo partner');
    const path = `/api/customers/${customer.id}/subscriptions`;
    const selectPath = path.replace('/api/', '/select/');
    const page = (await (await fetch(`${base}${path}`, { headers })).json()) as { items: unknown[] };
    const barePage = (await (await fetch(`${bareBase}${path}`)).json()) as { items: unknown[] };
    const selectPage = (await (await fetch(`${bareBase}${selectPath}`)).json()) as { items: unknown[] };
    if (barePage.items.length !== page.items.length)
      throw new Error(
        `the bare route read ${barePage.items.length} rows of the page, the API ${page.items.length}`,
      );
    note(
      `customer Northwind Traders: ${page.items.length} subscriptions per page (bare route, the same statement: ${barePage.items.length} rows; plain select: ${selectPage.items.length})`,
    );
    note(`both servers run with npm start's Node flags: ${flags.join(' ') || '(none)'}`);

    // Warm both (JIT, pools, plans) before measuring. Then the two take turns, in rounds of ~2 s
    // (up to 5): this machine's speed drifts over seconds (the same server measured 0.35× to 0.63×
    // of the bare route in runs a minute apart, one side after the other), and taking turns gives
    // both sides the same drift. Each figure is its rounds' requests over their seconds.
    await load(`${base}${path}`, Math.min(WARM_UP_S, opts.durationS), headers);
    await load(`${bareBase}${path}`, Math.min(WARM_UP_S, opts.durationS), {});
    await load(`${bareBase}${selectPath}`, Math.min(WARM_UP_S, opts.durationS), {});
    const rounds = Math.max(1, Math.min(5, Math.floor(opts.durationS / 2)));
    const ourRounds: Load[] = [];
    const bareRounds: Load[] = [];
    const selectRounds: Load[] = [];
    for (let i = 0; i < rounds; i++) {
      ourRounds.push(await load(`${base}${path}`, opts.durationS / rounds, headers));
      bareRounds.push(await load(`${bareBase}${path}`, opts.durationS / rounds, {}));
      selectRounds.push(await load(`${bareBase}${selectPath}`, opts.durationS / rounds, {}));
    }
    const a = summed(ourRounds);
    const b = summed(bareRounds);
    const c = summed(selectRounds);
    if (rounds > 1)
      note(
        `${rounds} rounds of ${(opts.durationS / rounds).toFixed(1)} s each, taking turns; ratio per round: ${ourRounds
          .map((r, i) => (r.rps / bareRounds[i]!.rps).toFixed(2))
          .join(', ')}`,
      );
    if (a.bad || b.bad || c.bad)
      note(
        `non-2xx or errors: traslado ${a.bad}, bare ${b.bad}, plain select ${c.bad} (of ${a.total} / ${b.total} / ${c.total})`,
      );

    figure('api.requests_per_s', a.rps, 'req/s');
    figure('api.latency_p50_ms', a.p50, 'ms');
    figure('api.latency_p99_ms', a.p99, 'ms');
    figure('api.bare_requests_per_s', b.rps, 'req/s');
    figure('api.bare_latency_p50_ms', b.p50, 'ms');
    figure('api.bare_latency_p99_ms', b.p99, 'ms');
    figure('api.ratio_vs_bare', a.rps / b.rps, '×', { op: '≥', value: 0.6, unit: '×' });
    // What the page statement costs beside a plain `select *` of the page (earlier runs' baseline).
    figure('api.select_requests_per_s', c.rps, 'req/s');
    figure('api.ratio_vs_plain_select', a.rps / c.rps, '×');
    return { ...a, bare: b, select: c };
  } finally {
    await Promise.all([stop(ours), stop(bare)]);
  }
}
