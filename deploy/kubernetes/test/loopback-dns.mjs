// A DNS server on 127.0.0.1 that answers A queries for one name with a list of addresses the
// test changes: what a headless Service's DNS name does as pods come and go. grpc-js asks it
// directly for a `dns://127.0.0.1:<port>/<name>:<port>` target when
// GRPC_NODE_USE_ALTERNATIVE_RESOLVER is set (its resolver then uses node:dns's Resolver with that
// server instead of the system's getaddrinfo).
import { createSocket } from 'node:dgram';

const typeA = 1;
const classIn = 1;

/** Reads the question of a query: the name (lowercase, no trailing dot), its type and where it ends. */
function readQuestion(query) {
  const labels = [];
  let offset = 12;
  while (query[offset] !== 0) {
    const length = query[offset];
    labels.push(query.subarray(offset + 1, offset + 1 + length).toString('ascii'));
    offset += 1 + length;
  }
  offset += 1;
  return { name: labels.join('.').toLowerCase(), type: query.readUInt16BE(offset), end: offset + 4 };
}

/** The answer to one query: A records of `addresses` for `name`, NXDOMAIN for another name. */
export function answer(query, name, addresses) {
  const question = readQuestion(query);
  const known = question.name === name;
  const records = known && question.type === typeA ? addresses : [];
  const header = Buffer.alloc(12);
  query.copy(header, 0, 0, 2); // id
  // QR, the query's opcode and RD, AA; RCODE 3 (NXDOMAIN) for a name we do not serve.
  header.writeUInt16BE(0x8400 | (query.readUInt16BE(2) & 0x7900) | (known ? 0 : 3), 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(records.length, 6);
  const answers = records.map((address) => {
    const record = Buffer.alloc(16);
    record.writeUInt16BE(0xc00c, 0); // the name: a pointer to the question's
    record.writeUInt16BE(typeA, 2);
    record.writeUInt16BE(classIn, 4);
    record.writeUInt32BE(1, 6); // TTL 1 s: every lookup sees the current list
    record.writeUInt16BE(4, 10);
    address.split('.').forEach((octet, index) => record.writeUInt8(Number(octet), 12 + index));
    return record;
  });
  return Buffer.concat([header, query.subarray(12, question.end), ...answers]);
}

/**
 * Starts the server for `name`. Its `addresses` array is read at each query: a push is seen at
 * once. `queries` lists the names asked, in order.
 */
export async function startLoopbackDns(name, addresses) {
  const socket = createSocket('udp4');
  const queries = [];
  socket.on('message', (query, peer) => {
    try {
      queries.push(readQuestion(query).name);
      socket.send(answer(query, name.toLowerCase(), addresses), peer.port, peer.address);
    } catch {
      // A malformed query gets no answer, as from a real server.
    }
  });
  await new Promise((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    server: `127.0.0.1:${socket.address().port}`,
    addresses,
    queries,
    close: () => new Promise((resolve) => socket.close(resolve)),
  };
}
