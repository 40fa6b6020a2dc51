import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, lazyRequestLogger, logFormat } from './log.ts';

/** A stream that keeps the lines written to it. */
function collected() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, sink };
}

describe('log format', () => {
  it('is pretty on a terminal, JSON otherwise, unless TRASLADO_LOG_FORMAT says', () => {
    expect(logFormat({}, true)).toBe('pretty');
    expect(logFormat({}, false)).toBe('json');
    expect(logFormat({ TRASLADO_LOG_FORMAT: 'json' }, true)).toBe('json');
    expect(logFormat({ TRASLADO_LOG_FORMAT: 'pretty' }, false)).toBe('pretty');
  });

  it('writes JSON lines with secrets redacted when asked for JSON', () => {
    const { lines, sink } = collected();
    createLogger('info', sink, 'json').info({ password: 'hunter2' }, 'hello');
    expect(lines).toHaveLength(1);
    const entry = JSON.parse(lines[0]!);
    expect(entry.msg).toBe('hello');
    expect(entry.password).toBe('[redacted]');
  });

  it('makes a request’s child logger only when the request writes at a level that is on', () => {
    const { lines, sink } = collected();
    const parent = createLogger('warn', sink, 'json');
    let children = 0;
    const child = parent.child.bind(parent);
    parent.child = ((b, o) => {
      children += 1;
      return child(b, o);
    }) as typeof parent.child;

    const quiet = lazyRequestLogger(parent, { reqId: 'r1' }, {});
    quiet.info({ token: 'tses_secret' }, 'incoming request');
    quiet.debug('detail');
    // Fastify checks each request's logger has its methods: looking them up makes no child.
    for (const m of ['info', 'error', 'debug', 'fatal', 'warn', 'trace', 'child'] as const)
      expect(typeof quiet[m]).toBe('function');
    expect(children).toBe(0);
    expect(lines).toEqual([]);

    const loud = lazyRequestLogger(parent, { reqId: 'r2' }, {});
    loud.error({ token: 'tses_secret' }, 'request failed');
    loud.warn('again');
    expect(children).toBe(1);
    expect(lines.map((l) => JSON.parse(l))).toMatchObject([
      { reqId: 'r2', msg: 'request failed', token: '[redacted]' },
      { reqId: 'r2', msg: 'again' },
    ]);
    expect(loud.level).toBe('warn');

    // A route's own level (Fastify's logLevel) holds for its requests.
    const chatty = lazyRequestLogger(parent, { reqId: 'r3' }, { level: 'info' });
    chatty.info('incoming request');
    expect(children).toBe(2);
    expect(JSON.parse(lines[2]!)).toMatchObject({ reqId: 'r3', msg: 'incoming request' });
  });
});
