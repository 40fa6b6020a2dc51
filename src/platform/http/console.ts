import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join, posix, resolve, sep } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyReply, FastifyRequest } from 'fastify';
import helmet from 'helmet';
import { PROJECT_ROOT } from '../paths.ts';
import type { App } from './server.ts';

/** Where `vite build` (web/vite.config.ts) writes the console. */
export const CONSOLE_DIST = join(PROJECT_ROOT, 'web/dist');

/** Paths the console never answers: they belong to the API and the platform. */
const NOT_CONSOLE = /^\/(?:api|docs)(?:\/|$)|^\/(?:openapi\.json|healthz)$/;

// Vite names files under assets/ by their content hash: a changed file is a new URL, so browsers
// may keep them for a year. index.html names the current ones, so it is always revalidated.
const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';

/**
 * helmet's strict CSP (script, style and everything else from 'self') without
 * `upgrade-insecure-requests`: on a plain-HTTP address other than loopback (a LAN install) that
 * directive makes the browser fetch the console's own scripts over HTTPS, which fails, and the
 * console stays blank. Every URL the console loads is relative, so nothing is lost behind TLS.
 */
const CONSOLE_CSP = Object.entries(helmet.contentSecurityPolicy.getDefaultDirectives())
  .filter(([name]) => name !== 'upgrade-insecure-requests')
  .map(([name, values]) => [name, ...(values as Iterable<string>)].join(' '))
  .join(';');

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Traslado</title></head>
<body><main><h1>Traslado</h1>
<p>The web console is not built yet. Run <code>npm run build</code> and reload this page.
The API is up: see <a href="/docs">/docs</a>.</p></main></body></html>
`;

/**
 * Serves the built console (web/dist) at `/`: its files, and index.html for any other page path
 * (client-side routes such as /customers or /invitations/<token>). It answers only requests that
 * no API route took, from the not-found path, so the API's route table, OpenAPI document and JSON
 * 404s stay as they are.
 */
export function registerConsole(app: App, opts: { root?: string } = {}) {
  const root = resolve(opts.root ?? CONSOLE_DIST);
  // Only the `reply.sendFile` decorator (range, ETag, HEAD and traversal handling); routing is ours.
  app.register(fastifyStatic, { root, serve: false, suppressWarning: true });
  if (!existsSync(join(root, 'index.html')))
    app.log.warn(`the web console is not built (no ${root}/index.html): run npm run build`);

  app.addHook('onRequest', async (req, reply) => {
    if (!req.is404 || (req.method !== 'GET' && req.method !== 'HEAD')) return;
    const path = pathOf(req.url);
    if (path === undefined || NOT_CONSOLE.test(path)) return;

    const file = path === '/' ? undefined : await fileIn(root, path);
    // helmet set the API's CSP in an earlier hook; the console's answers carry their own.
    const own = () => reply.header('content-security-policy', CONSOLE_CSP);
    if (file) {
      own();
      reply.header('cache-control', file.startsWith('assets/') ? IMMUTABLE : REVALIDATE);
      return sendFile(reply, file);
    }
    // A missing hashed file is a stale or wrong URL: a page in its place would be read as script.
    if (path.startsWith('/assets/')) return;
    // History-API fallback, as connect-history-api-fallback decides it: only for clients that take
    // HTML, so `curl -H 'accept: application/json' /nope` still gets the JSON 404.
    if (path !== '/' && !acceptsHtml(req)) return;
    own();
    if (!(await fileIn(root, '/index.html'))) {
      return reply
        .code(503)
        .header('cache-control', REVALIDATE)
        .type('text/html; charset=utf-8')
        .send(NOT_BUILT);
    }
    reply.header('cache-control', REVALIDATE);
    return sendFile(reply, 'index.html');
  });
}

function sendFile(reply: FastifyReply, file: string) {
  // Our own cache-control (set above) rather than `send`'s max-age=0 default.
  return reply.sendFile(file, { cacheControl: false, dotfiles: 'deny', index: false });
}

/** The decoded path of a URL, or undefined when it cannot be one of ours (bad escapes, NUL). */
function pathOf(url: string): string | undefined {
  const raw = url.split('?', 1)[0] ?? '/';
  let path: string;
  try {
    path = decodeURIComponent(raw);
  } catch {
    return undefined;
  }
  if (path.includes('\0') || !path.startsWith('/')) return undefined;
  return path;
}

/** The file's path relative to root when it is a regular file inside root; never outside it. */
async function fileIn(root: string, path: string): Promise<string | undefined> {
  const rel = posix.normalize(path).replace(/^\/+/, '');
  if (rel === '' || rel.split('/').some((s) => s === '..' || s.startsWith('.'))) return undefined;
  const full = resolve(root, rel);
  if (!full.startsWith(root + sep)) return undefined;
  try {
    return (await stat(full)).isFile() ? rel : undefined;
  } catch {
    return undefined;
  }
}

function acceptsHtml(req: FastifyRequest): boolean {
  const accept = req.headers.accept;
  if (typeof accept !== 'string') return false;
  return accept.includes('text/html') || accept.includes('*/*');
}
