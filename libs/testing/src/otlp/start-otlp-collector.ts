import { createServer } from 'node:http';
import { decodeOtlpSpans, type CollectedSpan } from './decode-otlp-spans.js';

/** A running test collector. */
export interface OtlpCollector {
  /** For OTEL_EXPORTER_OTLP_ENDPOINT (`http://127.0.0.1:<port>`). */
  readonly endpoint: string;
  /** Every span received so far. */
  spans(): CollectedSpan[];
  close(): Promise<void>;
}

/**
 * A small OTLP/HTTP collector on loopback for tests: accepts `POST /v1/traces` in protobuf (what
 * the services' exporter sends), keeps the spans, answers 200.
 */
export function startOtlpCollector(): Promise<OtlpCollector> {
  const received: CollectedSpan[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.method !== 'POST' || request.url !== '/v1/traces') {
        response.writeHead(404).end();
        return;
      }
      try {
        received.push(...decodeOtlpSpans(Buffer.concat(chunks)));
        response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      } catch {
        response.writeHead(400).end();
      }
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      resolve({
        endpoint: `http://127.0.0.1:${port}`,
        spans: () => [...received],
        close: () => new Promise((done) => server.close(() => done())),
      });
    }),
  );
}
