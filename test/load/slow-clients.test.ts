import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { freePort, processDatabase, ServerProcess, sleep } from '../fixtures/server-process.ts';

/**
 * Slow clients against a real server process with the default settings (README "Settings"):
 * 30 connections that send their headers and then trickle a body a byte at a time, and 10 that
 * trickle their headers, are all closed by the server within 30 s, while it keeps answering
 * others. Without a request deadline Node keeps such sockets for 300 s. The test gives up (and
 * fails) after 40 s.
 */
const SLOW_BODIES = 30;
const SLOW_HEADERS = 10;
const LIMIT_MS = 30_000;

let server: ServerProcess;
let drop: () => Promise<void>;
beforeAll(async () => {
  const made = await processDatabase();
  drop = () => made.db.drop();
  server = new ServerProcess(made.url, await freePort());
  await server.start();
}, 120_000);
afterAll(async () => {
  await server?.kill();
  await drop?.();
}, 60_000);

/** Opens a socket, sends `head`, then one byte of `trickle` every 250 ms; resolves when the server closes it. */
function slowClient(port: number, head: string, trickle: string) {
  const started = performance.now();
  const socket: Socket = connect(port, '127.0.0.1');
  let timer: NodeJS.Timeout | undefined;
  const closed = new Promise<number>((resolve) => {
    socket.once('close', () => {
      clearInterval(timer);
      resolve(performance.now() - started);
    });
  });
  socket.on('error', () => undefined); // a reset counts as closed
  socket.on('data', () => undefined);
  socket.once('connect', () => {
    socket.write(head);
    let i = 0;
    timer = setInterval(() => {
      if (!socket.destroyed) socket.write(trickle[i++ % trickle.length]!);
    }, 250);
  });
  return { socket, closed };
}

it(`closes ${SLOW_BODIES} slow-body and ${SLOW_HEADERS} slow-header connections within 30 s, and keeps serving`, async () => {
  const body =
    'POST /api/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n' +
    'Content-Length: 100000\r\n\r\n';
  const clients = [
    ...Array.from({ length: SLOW_BODIES }, () => slowClient(server.port, body, '{"email":"x"}')),
    ...Array.from({ length: SLOW_HEADERS }, () =>
      slowClient(server.port, 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n', 'X-Slow: 1\r\n'),
    ),
  ];
  // Meanwhile the server answers everyone else.
  await sleep(2_000);
  expect((await fetch(`http://127.0.0.1:${server.port}/healthz`)).status).toBe(200);

  const giveUp = sleep(40_000).then(() => -1);
  const times = await Promise.all(clients.map((c) => Promise.race([c.closed, giveUp])));
  for (const c of clients) c.socket.destroy();
  const open = times.filter((ms) => ms < 0).length;
  const slowest = Math.max(...times);
  console.log(
    `[slow clients] ${clients.length - open} of ${clients.length} closed by the server; slowest after ${Math.round(slowest)} ms`,
  );
  expect(open).toBe(0);
  expect(times).toHaveLength(SLOW_BODIES + SLOW_HEADERS);
  expect(times.every((ms) => ms > 0 && ms <= LIMIT_MS)).toBe(true);
  expect((await fetch(`http://127.0.0.1:${server.port}/healthz`)).status).toBe(200);
}, 90_000);
