import { timingSafeEqual } from 'node:crypto';
import client from 'prom-client';
import { DomainError } from '../errors.ts';
import type { App, ServerDeps } from './server.ts';

/** A gauge read at scrape time: one cheap query each. */
export interface GaugeSource {
  name: string;
  help: string;
  labelNames: string[];
  collect: () => Promise<{ labels: Record<string, string>; value: number }[]>;
}

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** What was answered for one method, route pattern and status: a count, and latencies by bucket. */
interface Answered {
  labels: { method: string; route: string; status: string };
  count: number;
  sum: number;
  /** Answers per bucket (not cumulative): index i counts latencies in (LATENCY_BUCKETS[i-1], LATENCY_BUCKETS[i]]. */
  buckets: number[];
}

type Series = { labels: Record<string, string | number>; value: number; metricName?: string };

/** A metric the registry reads at scrape time (prom-client's `Metric` shape: name, help, type, get). */
function scraped(name: string, help: string, type: 'counter' | 'histogram', values: () => Series[]) {
  return {
    name,
    help,
    type,
    aggregator: 'sum',
    async get() {
      return { name, help, type, aggregator: 'sum', values: values() };
    },
    reset() {},
  } as unknown as client.Metric<string>;
}

function requestsMetric(answered: Map<string, Answered>) {
  return scraped(
    'traslado_http_requests_total',
    'HTTP requests answered, by method, route pattern and status code',
    'counter',
    () => [...answered.values()].map((a) => ({ labels: a.labels, value: a.count })),
  );
}

function latencyMetric(answered: Map<string, Answered>) {
  const name = 'traslado_http_request_duration_seconds';
  return scraped(
    name,
    'Time to answer an HTTP request, by method, route pattern and status code',
    'histogram',
    () =>
      [...answered.values()].flatMap((a) => {
        let cumulative = 0;
        const series: Series[] = LATENCY_BUCKETS.map((le, i) => {
          cumulative += a.buckets[i]!;
          return { labels: { ...a.labels, le }, value: cumulative, metricName: `${name}_bucket` };
        });
        series.push(
          { labels: { ...a.labels, le: '+Inf' }, value: a.count, metricName: `${name}_bucket` },
          { labels: a.labels, value: a.sum, metricName: `${name}_sum` },
          { labels: a.labels, value: a.count, metricName: `${name}_count` },
        );
        return series;
      }),
  );
}

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * GET /metrics in Prometheus text: requests by route and status, their latency, the process's own
 * metrics, and the gauges given (jobs, transitions by status, queue depth...), computed when
 * scraped. Read with TRASLADO_METRICS_TOKEN as a bearer token, or as a signed-in operator. A
 * registry per app: several apps in one process (the tests) do not share counters.
 */
export function registerMetrics(app: App, deps: ServerDeps, gauges: GaugeSource[]) {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: 'traslado_' });
  // Requests and their latency by method, route pattern and status. Counted per request in a map
  // (one string key, a few additions), and turned into Prometheus series when scraped: prom-client's
  // own counter and histogram validate and hash the labels on every call, ~6 % of the server's CPU
  // on the hottest read (docs/performance.md).
  const answered = new Map<string, Answered>();
  registry.registerMetric(requestsMetric(answered));
  registry.registerMetric(latencyMetric(answered));
  app.addHook('onResponse', (req, reply, done) => {
    // The route's pattern, never the raw URL: ids would make a series per customer.
    const route = req.routeOptions.url ?? 'unmatched';
    const key = `${req.method} ${reply.statusCode} ${route}`;
    let a = answered.get(key);
    if (!a) {
      a = {
        labels: { method: req.method, route, status: String(reply.statusCode) },
        count: 0,
        sum: 0,
        buckets: new Array<number>(LATENCY_BUCKETS.length).fill(0),
      };
      answered.set(key, a);
    }
    const seconds = reply.elapsedTime / 1000;
    a.count += 1;
    a.sum += seconds;
    const i = LATENCY_BUCKETS.findIndex((b) => seconds <= b);
    if (i >= 0) a.buckets[i]! += 1;
    done();
  });
  for (const g of gauges) {
    new client.Gauge({
      name: g.name,
      help: g.help,
      labelNames: g.labelNames,
      registers: [registry],
      async collect() {
        const values = await g.collect();
        this.reset();
        for (const v of values) this.set(v.labels, v.value);
      },
    });
  }
  app.get(
    '/metrics',
    {
      config: { public: true },
      schema: { tags: ['platform'], summary: 'Prometheus metrics (metrics token or operator)', security: [] },
    },
    async (req, reply) => {
      const token = deps.config.metricsToken;
      const header = req.headers.authorization;
      const bearer = typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7).trim() : '';
      const allowed =
        (token !== undefined && bearer !== '' && sameToken(bearer, token)) ||
        req.actor?.roles.includes('operator') === true;
      if (!allowed) throw new DomainError('metrics_unauthorized');
      const text = await registry.metrics();
      reply.type(registry.contentType);
      return text;
    },
  );
  return registry;
}
