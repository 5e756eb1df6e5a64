import { constants, createServer, type ServerHttp2Stream } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { expect, it, onTestFinished } from 'vitest';
import { openResettableCall } from './open-resettable-call.js';

it('exchanges framed messages, then resets with CANCEL and no half-close before it', async () => {
  const seen: string[] = [];
  let received = Buffer.alloc(0);
  const server = createServer();
  const closed = new Promise<number>((resolve) =>
    server.on('stream', (stream: ServerHttp2Stream, headers) => {
      seen.push(`headers ${String(headers[':path'])} ${String(headers['authorization'])}`);
      stream.on('data', (chunk: Buffer) => {
        received = Buffer.concat([received, chunk]);
        stream.respond({ ':status': 200, 'content-type': 'application/grpc' });
        stream.write(Buffer.from([0, 0, 0, 0, 2, 7, 8]));
      });
      stream.on('end', () => seen.push('end'));
      stream.on('aborted', () => seen.push('aborted'));
      stream.on('close', () => resolve(stream.rstCode));
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const { port } = server.address() as AddressInfo;

  const call = openResettableCall(`127.0.0.1:${port}`, '/pkg.Service/Method', { authorization: 'Bearer t' });
  call.send(Uint8Array.from([1, 2, 3]));
  expect([...(await call.nextMessage())]).toEqual([7, 8]);
  await call.reset();

  expect(await closed).toBe(constants.NGHTTP2_CANCEL);
  expect([...received]).toEqual([0, 0, 0, 0, 3, 1, 2, 3]);
  // Node ends a reset stream's readable side too, but only after it reported the abort.
  expect(seen).toEqual(['headers /pkg.Service/Method Bearer t', 'aborted', 'end']);
});
