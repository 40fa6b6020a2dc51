import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, logFormat } from './log.ts';

describe('log format', () => {
  it('is pretty on a terminal, JSON otherwise, unless TRASLADO_LOG_FORMAT says', () => {
    expect(logFormat({}, true)).toBe('pretty');
    expect(logFormat({}, false)).toBe('json');
    expect(logFormat({ TRASLADO_LOG_FORMAT: 'json' }, true)).toBe('json');
    expect(logFormat({ TRASLADO_LOG_FORMAT: 'pretty' }, false)).toBe('pretty');
  });

  it('writes JSON lines with secrets redacted when asked for JSON', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    createLogger('info', sink, 'json').info({ password: 'hunter2' }, 'hello');
    expect(lines).toHaveLength(1);
    const entry = JSON.parse(lines[0]!);
    expect(entry.msg).toBe('hello');
    expect(entry.password).toBe('[redacted]');
  });
});
