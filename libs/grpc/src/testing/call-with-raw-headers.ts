import { decodeStatus, type DecodedStatus } from '@platform/proto';
import { spawn } from 'node:child_process';

/** How a call made by {@link callWithRawHeaders} ended. */
export interface RawCallOutcome {
  readonly code: number;
  readonly message: string;
  /** The google.rpc.Status of `grpc-status-details-bin`, when the server sent one. */
  readonly status: DecodedStatus | undefined;
}

/** gRPC's length-prefixed framing of one uncompressed message. */
function frame(message: Uint8Array): Buffer {
  const prefix = Buffer.alloc(5);
  prefix.writeUInt32BE(message.byteLength, 1);
  return Buffer.concat([prefix, message]);
}

function parseOutcome(headerDump: string): RawCallOutcome {
  const fields = new Map<string, string>();
  for (const line of headerDump.split(/\r?\n/)) {
    const match = /^([a-z0-9-]+):\s*(.*)$/i.exec(line);
    if (match?.[1] && match[2] !== undefined) fields.set(match[1].toLowerCase(), match[2].trim());
  }
  const code = fields.get('grpc-status');
  if (code === undefined) throw new Error(`no grpc-status in the response:\n${headerDump}`);
  const details = fields.get('grpc-status-details-bin');
  return {
    code: Number(code),
    message: decodeURIComponent(fields.get('grpc-message') ?? ''),
    status: details === undefined ? undefined : decodeStatus(Buffer.from(details, 'base64')),
  };
}

/**
 * Makes one gRPC call with curl over HTTP/2 (prior knowledge, plaintext), sending the request
 * headers exactly as given, repeated names included, then `messages` and the half-close.
 * Node's HTTP/2 client refuses to send a single-value header such as `authorization` twice;
 * grpc-go, grpcurl `-H` and curl do, so this is how a test sends what they send. Needs `curl`
 * with HTTP/2 (tools/setup.sh installs it).
 *
 * Send no messages to a call the server refuses on its metadata: curl (7.88) may then wait for
 * ever on a response that came while it was still sending the body. Without messages the
 * request is its headers and end of stream.
 */
export function callWithRawHeaders(
  address: string,
  path: string,
  headers: readonly (readonly [name: string, value: string])[],
  messages: readonly Uint8Array[],
): Promise<RawCallOutcome> {
  const args = ['--http2-prior-knowledge', '--silent', '--show-error', '--max-time', '20'];
  args.push('--dump-header', '-', '--output', '/dev/null');
  args.push(...(messages.length > 0 ? ['--data-binary', '@-'] : ['--request', 'POST']));
  for (const [name, value] of [['content-type', 'application/grpc'], ['te', 'trailers'], ...headers]) {
    args.push('--header', `${name}: ${value}`);
  }
  args.push(`http://${address}${path}`);
  return new Promise((resolve, reject) => {
    const curl = spawn('curl', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    curl.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    curl.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    curl.on('error', reject);
    curl.on('close', (exitCode) => {
      if (exitCode !== 0) {
        reject(new Error(`curl exited ${exitCode}: ${Buffer.concat(stderr).toString()}`));
        return;
      }
      try {
        resolve(parseOutcome(Buffer.concat(stdout).toString()));
      } catch (error) {
        reject(error as Error);
      }
    });
    curl.stdin.end(Buffer.concat(messages.map(frame)));
  });
}
