import { connect, createServer, type Socket } from 'node:net';

/** Where a {@link TcpProxy} forwards to. */
export interface TcpTarget {
  /** A loopback host: `127.0.0.1` (any 127.x.y.z), `::1` or `localhost`. */
  host: string;
  port: number;
}

/** Options of {@link startTcpProxy}. */
export interface StartTcpProxyOptions {
  target: TcpTarget;
}

/**
 * A TCP proxy on loopback in front of a real server (PostgreSQL, Kafka, a gRPC server), for
 * fault tests: `cut()` makes the server look gone to its clients, as a crash or a network
 * partition would, and `restore()` brings it back, without touching the server.
 */
export interface TcpProxy {
  /** `127.0.0.1`: the proxy listens on loopback only. */
  readonly host: string;
  readonly port: number;
  /** `127.0.0.1:<port>`: what replaces the target's host and port in a URL (`url.host = proxy.address`). */
  readonly address: string;
  /** Client connections being forwarded now. */
  readonly connectionCount: number;
  /**
   * Resets every open connection (clients see ECONNRESET) and, until {@link restore}, resets
   * each new one as soon as it is accepted: connecting fails at once rather than timing out.
   */
  cut(): void;
  /** Accepts and forwards new connections again. */
  restore(): void;
  /** Resets every connection and stops listening. Idempotent. */
  close(): Promise<void>;
}

const loopbackHosts = /^(127(\.\d{1,3}){3}|::1|localhost)$/;

/** A client connection and its connection to the target; ending either ends both. */
interface ForwardedConnection {
  client: Socket;
  upstream: Socket;
}

function reset(connection: ForwardedConnection): void {
  connection.client.resetAndDestroy();
  connection.upstream.resetAndDestroy();
}

/** Starts a {@link TcpProxy} on `127.0.0.1:0` forwarding to `target` (a loopback address). */
export async function startTcpProxy(options: StartTcpProxyOptions): Promise<TcpProxy> {
  const { target } = options;
  if (!loopbackHosts.test(target.host)) {
    throw new TypeError(`startTcpProxy forwards to loopback only, not to ${target.host}`);
  }
  const connections = new Set<ForwardedConnection>();
  let isCut = false;

  const server = createServer((client) => {
    if (isCut) {
      client.resetAndDestroy();
      return;
    }
    const upstream = connect({ host: target.host, port: target.port });
    const connection: ForwardedConnection = { client, upstream };
    connections.add(connection);
    // A side that fails (the target refusing, a reset) resets the other, as a dead server
    // would; a side that closes normally closes the other.
    const end = (failed: boolean) => () => {
      if (!connections.delete(connection)) return;
      if (failed) reset(connection);
      else {
        client.destroy();
        upstream.destroy();
      }
    };
    client.on('error', end(true)).on('close', end(false));
    upstream.on('error', end(true)).on('close', end(false));
    client.pipe(upstream);
    upstream.pipe(client);
  });

  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as { port: number }).port);
    });
  });

  const cutAll = () => {
    for (const connection of [...connections]) {
      connections.delete(connection);
      reset(connection);
    }
  };
  let closing: Promise<void> | undefined;

  return {
    host: '127.0.0.1',
    port,
    address: `127.0.0.1:${port}`,
    get connectionCount() {
      return connections.size;
    },
    cut() {
      isCut = true;
      cutAll();
    },
    restore() {
      isCut = false;
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        isCut = true;
        server.close(() => resolve());
        cutAll();
      });
      return closing;
    },
  };
}
