import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import fs from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { setupTracing } from '../tracing/setup-tracing.js';
import type { Tracing } from '../tracing/tracing-options.js';
import { createLogger } from './create-logger.js';
import type { LoggerOptions } from './logger-options.js';

type Line = Record<string, unknown>;

function capturingLogger(options: Partial<LoggerOptions> = {}) {
  const lines: Line[] = [];
  const logger = createLogger({
    name: 'order-service',
    destination: { write: (line: string) => void lines.push(JSON.parse(line) as Line) },
    ...options,
  });
  return { logger, lines };
}

describe('createLogger', () => {
  let tracing: Tracing;

  beforeAll(() => {
    tracing = setupTracing({
      serviceName: 'logger-test',
      env: {},
      spanProcessors: [new SimpleSpanProcessor(new InMemorySpanExporter())],
    });
  });
  afterAll(() => tracing.shutdown());

  describe('every line', () => {
    let lines: Line[];
    beforeEach(() => {
      const captured = capturingLogger();
      lines = captured.lines;
      captured.logger.info({ orderId: 'o-1' }, 'order created');
    });

    it('is one JSON object with the level as its name, an ISO time, the logger name and the message', () => {
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({
        level: 'info',
        name: 'order-service',
        msg: 'order created',
        orderId: 'o-1',
      });
      expect(new Date(lines[0]?.['time'] as string).toISOString()).toBe(lines[0]?.['time']);
    });

    it('carries no trace ids when no span is active', () => {
      expect(lines[0]).not.toHaveProperty('trace_id');
      expect(lines[0]).not.toHaveProperty('span_id');
    });
  });

  describe('inside an active span', () => {
    it('carries the span trace_id and span_id, also after an await', async () => {
      const { logger, lines } = capturingLogger();
      const tracer = trace.getTracer('logger-test');
      const ids = await tracer.startActiveSpan('handle', async (span) => {
        logger.info('before await');
        await new Promise((resolve) => setTimeout(resolve, 1));
        logger.info('after await');
        span.end();
        return span.spanContext();
      });
      expect(lines.map((line) => [line['trace_id'], line['span_id']])).toEqual([
        [ids.traceId, ids.spanId],
        [ids.traceId, ids.spanId],
      ]);
    });

    it('lets ids given on the line win over the active span', () => {
      const { logger, lines } = capturingLogger();
      trace.getTracer('logger-test').startActiveSpan('handle', (span) => {
        logger.info({ trace_id: 'from-the-call', span_id: 'server-span' }, 'call finished');
        span.end();
      });
      expect(lines[0]).toMatchObject({ trace_id: 'from-the-call', span_id: 'server-span' });
    });
  });

  describe('credentials', () => {
    it('redacts authorization, password and token at the top level and one level down', () => {
      const { logger, lines } = capturingLogger();
      logger.info(
        {
          authorization: 'Bearer top',
          password: 'hunter2',
          token: 'tok',
          metadata: { authorization: 'Bearer nested', 'x-request-id': 'r-1' },
          user: { password: 'p', token: 't', name: 'ada' },
        },
        'with secrets',
      );
      const text = JSON.stringify(lines[0]);
      for (const secret of ['Bearer top', 'hunter2', '"tok"', 'Bearer nested', '"p"', '"t"']) {
        expect(text).not.toContain(secret);
      }
      expect(lines[0]).toMatchObject({
        authorization: '[REDACTED]',
        metadata: { authorization: '[REDACTED]', 'x-request-id': 'r-1' },
        user: { password: '[REDACTED]', token: '[REDACTED]', name: 'ada' },
      });
    });
    it('redacts credentials in child bindings and in an error, which keeps its type, message and stack', () => {
      const { logger, lines } = capturingLogger();
      const error = Object.assign(new RangeError('token rejected'), { token: 'leaked', code: 7 });
      logger
        .child({ token: 'child-secret', caller: { authorization: 'Bearer child' } })
        .child({ password: 'grandchild-secret' })
        .error({ err: error }, 'failed');
      const text = JSON.stringify(lines[0]);
      for (const secret of ['child-secret', 'Bearer child', 'grandchild-secret', 'leaked'])
        expect(text).not.toContain(secret);
      expect(lines[0]).toMatchObject({
        token: '[REDACTED]',
        caller: { authorization: '[REDACTED]' },
        password: '[REDACTED]',
        err: { type: 'RangeError', message: 'token rejected', token: '[REDACTED]', code: 7 },
      });
      expect((lines[0]?.['err'] as { stack: string }).stack).toContain('create-logger.spec.ts');
      expect(error.token).toBe('leaked');
    });

    it('leaves the fields it was given unchanged, and values two levels down or in arrays as they are', () => {
      const { logger, lines } = capturingLogger();
      const fields = {
        user: { password: 'p' },
        deep: { a: { token: 'two-down' } },
        list: [{ token: 'in-array' }],
      };
      logger.info(fields, 'shapes');
      expect(fields.user.password).toBe('p');
      expect(lines[0]).toMatchObject({
        user: { password: '[REDACTED]' },
        deep: { a: { token: 'two-down' } },
        list: [{ token: 'in-array' }],
      });
    });
  });

  describe('level', () => {
    it('defaults to info: debug lines are dropped', () => {
      const { logger, lines } = capturingLogger();
      logger.debug('noise');
      logger.warn('kept');
      expect(lines.map((line) => line['level'])).toEqual(['warn']);
    });

    it('writes debug lines when the level is debug', () => {
      const { logger, lines } = capturingLogger({ level: 'debug' });
      logger.debug('detail');
      expect(lines.map((line) => line['level'])).toEqual(['debug']);
    });
  });

  describe('errors', () => {
    it('serializes err with its type, message and stack', () => {
      const { logger, lines } = capturingLogger();
      logger.error({ err: new TypeError('bad input') }, 'failed');
      expect(lines[0]?.['err']).toMatchObject({ type: 'TypeError', message: 'bad input' });
      expect((lines[0]?.['err'] as { stack: string }).stack).toContain('create-logger.spec.ts');
    });
  });

  describe('its default destination, standard output', () => {
    it('has written a line when the call returns, so process.exit right after loses nothing', () => {
      const written: { fd: number; text: string }[] = [];
      const writeSync = vi.spyOn(fs, 'writeSync').mockImplementation(((fd: number, text: string) => {
        written.push({ fd, text: String(text) });
        return Buffer.byteLength(String(text));
      }) as typeof fs.writeSync);
      try {
        createLogger({ name: 'exit-test' }).info('stopped');
        expect(written).toHaveLength(1);
        expect(written[0]?.fd).toBe(1);
        expect(JSON.parse(written[0]?.text ?? '{}')).toMatchObject({ name: 'exit-test', msg: 'stopped' });
      } finally {
        writeSync.mockRestore();
      }
    });
  });
});
