import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';

/**
 * Closing the HTTP server without cutting anyone off. Node's `server.close()` destroys every
 * keep-alive socket that is idle at that instant, but under load a socket that looks idle often
 * holds a request the event loop has not read yet, and its client gets a reset. So a closing
 * server stops listening, answers every request it still gets with `Connection: close` (server.ts),
 * and closes a kept-alive socket only once it has been quiet for QUIET_MS since the close began.
 */
const QUIET_MS = 1000;
const SWEEP_MS = 100;

interface Conn {
  active: number;
  quietSince: number;
}

const tracked = new WeakMap<Server, Map<Socket, Conn>>();

/** Follows each connection's requests from the start, so a close knows which ones are quiet. */
export function trackConnections(server: Server): void {
  const conns = new Map<Socket, Conn>();
  tracked.set(server, conns);
  server.on('connection', (socket: Socket) => {
    conns.set(socket, { active: 0, quietSince: Date.now() });
    socket.once('close', () => conns.delete(socket));
  });
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const conn = conns.get(req.socket);
    if (!conn) return;
    conn.active++;
    res.once('close', () => {
      conn.active--;
      conn.quietSince = Date.now();
    });
  });
}

/**
 * Stops listening, lets the requests under way finish (at most `timeoutMs`, then what remains is
 * cut off and logged) and closes the kept-alive sockets as they fall quiet. `close` is Fastify's
 * `app.close()`, which closes the server and runs the plugins' onClose hooks.
 */
export async function closeHttp(
  server: Server,
  close: () => Promise<unknown>,
  timeoutMs: number,
  log: Logger,
): Promise<void> {
  const conns = tracked.get(server);
  const began = Date.now();
  const quiet = Math.min(QUIET_MS, timeoutMs);
  // Node's close() would drop the idle sockets at once: the sweep below does it with a grace.
  if (conns) server.closeIdleConnections = () => {};
  const sweep = setInterval(() => {
    const now = Date.now();
    for (const [socket, conn] of conns ?? []) {
      if (conn.active === 0 && now - Math.max(conn.quietSince, began) >= quiet) socket.destroy();
    }
  }, SWEEP_MS);
  const cutOff = setTimeout(() => {
    const left = [...(conns?.values() ?? [])].filter((c) => c.active > 0).length;
    log.warn({ timeoutMs, requests: left }, 'shutdown: requests still running were cut off');
    server.closeAllConnections();
  }, timeoutMs);
  try {
    await close();
  } finally {
    clearInterval(sweep);
    clearTimeout(cutOff);
  }
}
