import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerConsole } from '../../src/platform/http/console.ts';
import { type App, createServer } from '../../src/platform/http/server.ts';
import { startTestApp, type TestApp } from '../fixtures/app.ts';

/**
 * The server serves the built console at `/` beside the API: its files, index.html for client
 * routes, and nothing that belongs to the API. Served from a small stand-in for web/dist so the
 * test does not depend on a Vite build.
 */
const INDEX =
  '<!doctype html><html lang="en"><head><script type="module" src="/assets/index-abc123.js"></script></head><body><div id="root"></div></body></html>';
const SCRIPT = 'console.log("console");';
const HTML = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

let t: TestApp;
let dist: string;
let app: App;
let unbuilt: App;

beforeAll(async () => {
  t = await startTestApp();
  dist = await mkdtemp(join(tmpdir(), 'traslado-console-'));
  await mkdir(join(dist, 'assets'));
  await writeFile(join(dist, 'index.html'), INDEX);
  await writeFile(join(dist, 'assets/index-abc123.js'), SCRIPT);
  await writeFile(join(dist, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  await writeFile(join(dist, '.secret'), 'hidden');
  await writeFile(join(dist, '..', `${dist.split('/').pop()}-outside.txt`), 'outside');
  ({ app } = await createServer(t.deps));
  registerConsole(app, { root: dist });
  await app.ready();
  ({ app: unbuilt } = await createServer(t.deps));
  registerConsole(unbuilt, { root: join(dist, 'missing') });
  await unbuilt.ready();
});

afterAll(async () => {
  await app?.close();
  await unbuilt?.close();
  await rm(dist, { recursive: true, force: true });
  await rm(`${dist}-outside.txt`, { force: true });
  await t?.close();
});

const get = (a: App, url: string, accept?: string) =>
  a.inject({ method: 'GET', url, headers: accept ? { accept } : {} });

describe('serving the console', () => {
  it('answers / with index.html, revalidated on every load, under the strict CSP', async () => {
    const res = await get(app, '/');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body).toBe(INDEX);
    expect(res.headers['cache-control']).toBe('no-cache');
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toMatch(/(^|;)default-src 'self'(;|$)/);
    expect(csp).toMatch(/(^|;)script-src 'self'(;|$)/);
    expect(csp).toMatch(/(^|;)object-src 'none'(;|$)/);
    expect(csp).toMatch(/(^|;)frame-ancestors 'self'(;|$)/);
    // On a plain-HTTP LAN address this would send the console's own scripts to https:// and fail.
    expect(csp).not.toMatch(/upgrade-insecure-requests/);
    expect(res.headers['content-security-policy']).not.toBeInstanceOf(Array);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-request-id']).toBeDefined();
    const head = await app.inject({ method: 'HEAD', url: '/' });
    expect(head.statusCode).toBe(200);
    expect(head.body).toBe('');
  });

  it('serves hashed assets for a year and other files revalidated', async () => {
    const js = await get(app, '/assets/index-abc123.js');
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toMatch(/javascript/);
    expect(js.body).toBe(SCRIPT);
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(String(js.headers['content-security-policy'])).toMatch(/script-src 'self'/);
    const icon = await get(app, '/favicon.svg');
    expect(icon.statusCode).toBe(200);
    expect(icon.headers['content-type']).toMatch(/image\/svg\+xml/);
    expect(icon.headers['cache-control']).toBe('no-cache');
  });

  it('answers client routes with index.html (history fallback) for clients that take HTML', async () => {
    for (const url of ['/customers', '/customers/abc?tab=users', '/invitations/a.b-c_d', '/tenant/tasks']) {
      for (const accept of [HTML, '*/*']) {
        const res = await get(app, url, accept);
        expect([url, res.statusCode, res.body]).toEqual([url, 200, INDEX]);
        expect(res.headers['cache-control']).toBe('no-cache');
      }
    }
  });

  it('leaves the API, the docs and every non-page answer to the API (JSON 404)', async () => {
    const notFound = async (res: Awaited<ReturnType<typeof get>>, label: string) => {
      expect([label, res.statusCode, res.headers['content-type']]).toEqual([
        label,
        404,
        expect.stringMatching(/^application\/json/),
      ]);
      expect(res.json().code).toBe('not_found');
    };
    for (const url of ['/api/nope', '/api', '/api/customers/x/nope', '/docs/nope.txt/..x']) {
      await notFound(await get(app, url, HTML), url);
    }
    // A stale or mistyped asset is a 404, never the page (which the browser would run as script).
    await notFound(await get(app, '/assets/index-old.js', HTML), 'missing asset');
    // A client that asks for JSON, or states no preference at all, gets the API's answer.
    await notFound(await get(app, '/customers', 'application/json'), 'accept json');
    await notFound(await get(app, '/customers'), 'no accept');
    // Only reads: the console has no other methods.
    const post = await app.inject({ method: 'POST', url: '/customers', headers: { accept: HTML } });
    expect([post.statusCode, post.json().code]).toEqual([404, 'not_found']);
  });

  it('never serves dotfiles or anything outside the build folder', async () => {
    const outside = `${dist.split('/').pop()}-outside.txt`;
    for (const url of [
      '/.secret',
      `/../${outside}`,
      `/%2e%2e/${outside}`,
      `/assets/%2e%2e/%2e%2e/${outside}`,
    ]) {
      const res = await get(app, url, HTML);
      expect(res.body, url).not.toMatch(/hidden|outside/);
      expect(res.statusCode === 404 || res.body === INDEX, url).toBe(true);
    }
    // A malformed escape never reaches us: the server's URL check refuses it first.
    const bad = await get(app, '/%E0%A4%A', HTML);
    expect([bad.statusCode, bad.json().code]).toEqual([400, 'invalid_request']);
  });

  it('keeps the platform routes: docs, OpenAPI, health', async () => {
    const docs = await get(t.app as unknown as App, '/docs/', HTML);
    expect(docs.statusCode).toBe(200);
    expect(docs.body).toMatch(/swagger/i);
    const openapi = await get(t.app as unknown as App, '/openapi.json', HTML);
    expect(openapi.json().openapi).toMatch(/^3\./);
    const health = await get(t.app as unknown as App, '/healthz', HTML);
    expect(health.json()).toEqual({ status: 'ok' });
    const api404 = await get(t.app as unknown as App, '/api/nope', HTML);
    expect([api404.statusCode, api404.json().code]).toEqual([404, 'not_found']);
  });

  it('says to run the build when the console is not built', async () => {
    for (const url of ['/', '/customers']) {
      const res = await get(unbuilt, url, HTML);
      expect(res.statusCode).toBe(503);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.body).toMatch(/npm run build/);
    }
    const api = await get(unbuilt, '/api/nope', HTML);
    expect(api.statusCode).toBe(404);
  });
});
