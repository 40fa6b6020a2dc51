import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../fixtures/app.ts';

/** Issue 21, operations: GET /metrics (Prometheus text, protected) and `traslado --version`. */
const TOKEN = 'metrics-token-for-tests-0123456789';
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ metricsToken: TOKEN }, { queue: true });
});
afterAll(async () => t?.close());

describe('GET /metrics', () => {
  it('answers Prometheus text with requests, latency, jobs, transitions and queue depth', async () => {
    // Some traffic to count: a 200 and a 404.
    await t.expectOk({ url: '/healthz' });
    expect((await t.call({ url: '/api/nope', token: t.operatorToken })).status).toBe(404);
    const r = await t.app.inject({ url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = r.body;
    for (const name of [
      'traslado_http_requests_total',
      'traslado_http_request_duration_seconds_bucket',
      'traslado_jobs',
      'traslado_transitions',
      'traslado_queue_depth',
      'traslado_webhook_deliveries_pending',
      'traslado_process_cpu_seconds_total',
    ])
      expect(text, name).toContain(`# TYPE ${name.replace(/_bucket$/, '')} `);
    // By route pattern and status, never the raw URL.
    expect(text).toMatch(/traslado_http_requests_total\{method="GET",route="\/healthz",status="200"\} [1-9]/);
    expect(text).toMatch(/traslado_http_requests_total\{method="GET",route="unmatched",status="404"\} [1-9]/);
    // The latency histogram of one series: buckets cumulative up to +Inf, which is its count and
    // the requests counted; a sum of seconds.
    const series = 'method="GET",route="/healthz",status="200"';
    const value = (line: RegExp) => Number(line.exec(text)?.[1]);
    const buckets = [...text.matchAll(/^traslado_http_request_duration_seconds_bucket\{(.*)\} (\S+)$/gm)]
      .filter((m) => m[1]!.includes(series))
      .map((m) => ({ le: /le="([^"]+)"/.exec(m[1]!)![1]!, n: Number(m[2]) }));
    expect(buckets.map((b) => b.le)).toEqual([
      '0.005',
      '0.01',
      '0.025',
      '0.05',
      '0.1',
      '0.25',
      '0.5',
      '1',
      '2.5',
      '5',
      '10',
      '+Inf',
    ]);
    for (let i = 1; i < buckets.length; i++) expect(buckets[i]!.n).toBeGreaterThanOrEqual(buckets[i - 1]!.n);
    const total = value(
      /^traslado_http_requests_total\{method="GET",route="\/healthz",status="200"\} (\S+)$/m,
    );
    expect(total).toBeGreaterThanOrEqual(1);
    expect(buckets.at(-1)!.n).toBe(total);
    expect(
      value(
        /^traslado_http_request_duration_seconds_count\{method="GET",route="\/healthz",status="200"\} (\S+)$/m,
      ),
    ).toBe(total);
    expect(
      value(
        /^traslado_http_request_duration_seconds_sum\{method="GET",route="\/healthz",status="200"\} (\S+)$/m,
      ),
    ).toBeGreaterThan(0);
    // The queue's own jobs are counted (the workers of this app sent some at start).
    expect(text).toMatch(/traslado_jobs\{queue="[a-z-]+",state="[a-z]+"\} \d+/);
  });

  it('is read with the metrics token or as the operator, by nobody else', async () => {
    const p = await t.newPartner();
    for (const headers of [
      {},
      { authorization: 'Bearer wrong-token' },
      { authorization: `Bearer ${p.tokens['account-admin']}` },
    ]) {
      const r = await t.app.inject({ url: '/metrics', headers });
      expect(r.statusCode).toBe(401);
      expect(JSON.parse(r.body).code).toBe('metrics_unauthorized');
    }
    const operator = await t.app.inject({
      url: '/metrics',
      headers: { authorization: `Bearer ${t.operatorToken}` },
    });
    expect(operator.statusCode).toBe(200);
    expect(operator.body).toContain('traslado_transitions');
  });
});

describe('traslado --version', () => {
  it('prints the package version', async () => {
    const root = new URL('../../', import.meta.url).pathname;
    const { version } = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { version: string };
    const { stdout } = await promisify(execFile)(process.execPath, ['bin/traslado.js', '--version'], {
      cwd: root,
      timeout: 60_000,
    });
    expect(stdout.trim()).toBe(version);
  });
});
