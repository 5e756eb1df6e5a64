// A separate process holding WatchOrder streams open, so the order service serves them while
// the load generator measures unary calls. Opens `streams` calls over `channels` connections
// (round robin over the orders), reads every message, and prints `{"watching":n,"ms":t}` once
// every stream has its first message (the order's current state). Until SIGTERM, which prints
// `{"ended":…,"messages":…,"codes":{…}}` (streams that ended early and how) and exits.
// Options: WATCH_OPTIONS = {"address","token","orderIds","streams","channels"} (JSON).
import * as grpc from '@grpc/grpc-js';
import { OrderServiceClient, WatchOrderRequest } from '@platform/proto';

interface WatchOptions {
  address: string;
  token: string;
  orderIds: string[];
  streams: number;
  channels: number;
}

const options = JSON.parse(process.env['WATCH_OPTIONS'] ?? '{}') as WatchOptions;
if (!options.address || !options.orderIds?.length || !(options.streams > 0)) {
  process.stderr.write('WATCH_OPTIONS needs address, token, orderIds and streams\n');
  process.exit(2);
}

// A local subchannel pool per client: one TCP connection each, not one shared by all.
const clients = Array.from(
  { length: Math.max(1, options.channels) },
  () =>
    new OrderServiceClient(options.address, grpc.credentials.createInsecure(), {
      'grpc.use_local_subchannel_pool': 1,
    }),
);
const metadata = new grpc.Metadata();
metadata.set('authorization', `Bearer ${options.token}`);

const startedAt = performance.now();
let watching = 0;
let messages = 0;
let ended = 0;
let stopping = false;
const codes: Record<string, number> = {};
const calls: grpc.ClientReadableStream<unknown>[] = [];

function endedEarly(code: string, detail: string) {
  if (stopping) return;
  ended += 1;
  codes[code] = (codes[code] ?? 0) + 1;
  if (watching < options.streams) {
    // Not all open yet: the measurement would not be what it says.
    process.stderr.write(`a WatchOrder stream ended before all were open: ${code} ${detail}\n`);
    process.exit(1);
  }
}

for (let index = 0; index < options.streams; index += 1) {
  const client = clients[index % clients.length] as OrderServiceClient;
  const orderId = options.orderIds[index % options.orderIds.length] as string;
  const call = client.watchOrder(WatchOrderRequest.create({ orderId }), metadata);
  let first = true;
  call.on('data', () => {
    messages += 1;
    if (!first) return;
    first = false;
    watching += 1;
    if (watching === options.streams) {
      process.stdout.write(
        `${JSON.stringify({ watching, ms: Math.round(performance.now() - startedAt) })}\n`,
      );
    }
  });
  // grpc-js may emit both 'error' and 'end' for one stream: count it once.
  let over = false;
  const finish = (code: string, detail: string) => {
    if (over) return;
    over = true;
    endedEarly(code, detail);
  };
  call.on('error', (error: grpc.ServiceError) =>
    finish(grpc.status[error.code] ?? String(error.code), error.details),
  );
  call.on('end', () => finish('END', 'the server ended the stream'));
  calls.push(call);
}

process.once('SIGTERM', () => {
  stopping = true;
  process.stdout.write(`${JSON.stringify({ watching, ended, messages, codes })}\n`, () => {
    for (const call of calls) call.cancel();
    for (const client of clients) client.close();
    process.exit(0);
  });
});
