import { createServer, type Server } from 'node:http';

/** A stand-in OTLP endpoint on loopback, so span export really happens (and is discarded). */
export function startOtlpSink(): Promise<{ server: Server; url: string; requests: () => number }> {
  let requests = 0;
  const server = createServer((request, response) => {
    requests += 1;
    request.resume();
    request.on('end', () => response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end());
  });
  return new Promise((resolveSink) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      resolveSink({ server, url: `http://127.0.0.1:${port}`, requests: () => requests });
    }),
  );
}
