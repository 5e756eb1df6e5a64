import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTcpProxy, type TcpProxy } from './index.js';

let echo: Server;
let echoPort: number;
let echoConnections = 0;
const echoSockets: Socket[] = [];
let proxy: TcpProxy | undefined;
const clients: Socket[] = [];

beforeEach(async () => {
  echoConnections = 0;
  echo = createServer((socket) => {
    echoConnections += 1;
    echoSockets.push(socket);
    socket.on('error', () => undefined);
    socket.pipe(socket);
  });
  echo.listen(0, '127.0.0.1');
  await once(echo, 'listening');
  echoPort = (echo.address() as { port: number }).port;
});

afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy();
  await proxy?.close();
  proxy = undefined;
  for (const socket of echoSockets.splice(0)) socket.destroy();
  await new Promise((resolve) => echo.close(resolve));
});

async function open(): Promise<TcpProxy> {
  proxy = await startTcpProxy({ target: { host: '127.0.0.1', port: echoPort } });
  return proxy;
}

/** A connected client socket to the proxy. */
async function dial(target: TcpProxy): Promise<Socket> {
  const client = connect(target.port, target.host);
  clients.push(client);
  await once(client, 'connect');
  return client;
}

/** Sends `text` and resolves with what comes back as soon as it is all there. */
async function roundTrip(client: Socket, text: string): Promise<string> {
  let received = '';
  const done = new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      received += chunk.toString();
      if (received.length >= text.length) {
        client.off('data', onData);
        resolve(received);
      }
    };
    client.on('data', onData).once('error', reject);
  });
  client.write(text);
  return done;
}

/** How a client socket ends: the error code it failed with, or 'closed'. */
function ending(client: Socket): Promise<string> {
  return new Promise((resolve) => {
    client.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    client.once('close', () => resolve('closed'));
  });
}

describe('startTcpProxy', () => {
  it('listens on loopback and forwards both ways', async () => {
    const target = await open();
    expect(target.host).toBe('127.0.0.1');
    expect(target.address).toBe(`127.0.0.1:${target.port}`);

    const client = await dial(target);
    expect(await roundTrip(client, 'ping')).toBe('ping');
    expect(target.connectionCount).toBe(1);
    expect(echoConnections).toBe(1);
  });

  it('forgets a connection the client closed', async () => {
    const target = await open();
    const client = await dial(target);
    await roundTrip(client, 'ping');

    client.end();
    await expect.poll(() => target.connectionCount).toBe(0);
  });

  it('refuses a target that is not on loopback', async () => {
    await expect(startTcpProxy({ target: { host: '10.0.0.5', port: 5432 } })).rejects.toThrow(TypeError);
  });

  it('resets the client when the target refuses the connection', async () => {
    const target = await open();
    await new Promise((resolve) => echo.close(resolve));
    echo = createServer(); // closed again by afterEach

    const client = connect(target.port, target.host);
    clients.push(client);
    expect(await ending(client)).toBe('ECONNRESET');
    expect(target.connectionCount).toBe(0);
  });
});

describe('cut', () => {
  it('resets every open connection', async () => {
    const target = await open();
    const first = await dial(target);
    const second = await dial(target);
    await roundTrip(first, 'a');
    await roundTrip(second, 'b');
    const endings = [ending(first), ending(second)];

    target.cut();

    expect(await Promise.all(endings)).toEqual(['ECONNRESET', 'ECONNRESET']);
    expect(target.connectionCount).toBe(0);
  });

  it('resets new connections at once, without reaching the target', async () => {
    const target = await open();
    target.cut();

    const client = connect(target.port, target.host);
    clients.push(client);
    expect(await ending(client)).toBe('ECONNRESET');
    expect(echoConnections).toBe(0);
    expect(target.connectionCount).toBe(0);
  });
});

describe('restore', () => {
  it('forwards new connections again after a cut', async () => {
    const target = await open();
    target.cut();
    target.restore();

    const client = await dial(target);
    expect(await roundTrip(client, 'back')).toBe('back');
    expect(target.connectionCount).toBe(1);
  });
});

describe('close', () => {
  it('resets the open connections, stops listening, and may be called twice', async () => {
    const target = await open();
    const client = await dial(target);
    await roundTrip(client, 'x');
    const ended = ending(client);

    await target.close();
    await target.close();

    expect(await ended).toBe('ECONNRESET');
    const late = connect(target.port, target.host);
    clients.push(late);
    expect(await ending(late)).toBe('ECONNREFUSED');
  });
});
