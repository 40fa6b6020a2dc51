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
  const labelNames = ['method', 'route', 'status'] as const;
  const requests = new client.Counter({
    name: 'traslado_http_requests_total',
    help: 'HTTP requests answered, by method, route pattern and status code',
    labelNames,
    registers: [registry],
  });
  const latency = new client.Histogram({
    name: 'traslado_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by method, route pattern and status code',
    labelNames,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  app.addHook('onResponse', async (req, reply) => {
    // The route's pattern, never the raw URL: ids would make a series per customer.
    const labels = {
      method: req.method,
      route: req.routeOptions.url ?? 'unmatched',
      status: String(reply.statusCode),
    };
    requests.inc(labels);
    latency.observe(labels, reply.elapsedTime / 1000);
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
