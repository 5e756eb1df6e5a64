import { describe, expect, it } from 'vitest';
import { parseServiceClients } from './parse-service-clients.js';

const orderSecret = 'Q7vLx2pN9wRt4kZs+8mYb3hJd/0=';
const workerSecret = 'uG5:cW1qTz8:eN4rVy6aKp2Mf';

function errorOf(text: string): string {
  try {
    parseServiceClients(text);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error(`expected ${JSON.stringify(text)} to be refused`);
}

describe('parseServiceClients', () => {
  it('parses comma-separated <client id>:<secret> entries, ignoring whitespace around them', () => {
    expect(
      parseServiceClients(` order-service : ${orderSecret} ,\n  fulfillment-worker:${workerSecret}\n`),
    ).toEqual([
      { clientId: 'order-service', secret: orderSecret },
      { clientId: 'fulfillment-worker', secret: workerSecret },
    ]);
  });

  it('keeps colons after the first one as part of the secret', () => {
    expect(parseServiceClients(`worker:${workerSecret}`)).toEqual([
      { clientId: 'worker', secret: workerSecret },
    ]);
  });

  it('reads blank text as no clients', () => {
    expect(parseServiceClients('')).toEqual([]);
    expect(parseServiceClients('  \n ')).toEqual([]);
  });

  it('accepts client ids of 1 to 63 characters and refuses a 64th', () => {
    const longest = `a${'b'.repeat(62)}`;
    expect(parseServiceClients(`x:${orderSecret},${longest}:${workerSecret}`).map((c) => c.clientId)).toEqual(
      ['x', longest],
    );
    expect(errorOf(`${longest}b:${orderSecret}`)).toMatch(
      /^expected <client id>:<secret>\[,…\]: entry 1: the client id/,
    );
  });

  it.each([
    [`order-service:${orderSecret},`, 'entry 2 is empty'],
    [`order-service${orderSecret}`, 'entry 1 is not of the form <client id>:<secret>'],
    [`Order-Service:${orderSecret}`, "entry 1: the client id must be lowercase letters, digits and '-'"],
    [`9-lives:${orderSecret}`, 'entry 1: the client id must be lowercase letters'],
    [`:${orderSecret}`, 'entry 1: the client id must be'],
    [
      'order-service:too-short-secret',
      'entry 1 (order-service): the secret must be at least 24 characters, got 16',
    ],
    ['order-service:', 'entry 1 (order-service): the secret must be at least 24 characters, got 0'],
    [
      `order-service:${'s'.repeat(1025)}`,
      'entry 1 (order-service): the secret must be at most 1024 characters',
    ],
    [
      `order-service:${orderSecret} ${workerSecret}`,
      'entry 1 (order-service): the secret must not contain whitespace',
    ],
    [
      `order-service:${orderSecret},worker:${workerSecret},order-service:${workerSecret}`,
      'entry 3 (order-service) repeats the client id of entry 1',
    ],
  ])('refuses %j: %s', (text, problem) => {
    expect(errorOf(text)).toContain(problem);
  });

  it('lists every bad entry at once', () => {
    expect(errorOf(`order-service:short,,worker:${workerSecret},Bad:${orderSecret}`)).toBe(
      'expected <client id>:<secret>[,…]: entry 1 (order-service): the secret must be at least 24 characters, got 5; ' +
        "entry 2 is empty; entry 4: the client id must be lowercase letters, digits and '-', starting with a letter, at most 63 characters",
    );
  });

  describe('error messages', () => {
    const secrets = [orderSecret, workerSecret, 'abcdef0123456789abcdef0123456789', 'shOrt+bUt+sEcrEt'];
    const [secret, other, hexSecret, shortSecret] = secrets as [string, string, string, string];
    const malformed = [
      `order-service${secret}`,
      `${secret}:order-service`,
      `${hexSecret}:order-service`,
      `${other}`,
      `order-service:${shortSecret}`,
      `order-service:${secret} ${other}`,
      `order-service:${secret},order-service:${other}`,
      `order-service:${secret},,${hexSecret}`,
      `Order-Service:${secret}`,
      `order-service:${'x'.repeat(1000)}${secret}`,
    ];

    it.each(malformed)('never hold any part of a secret (%#)', (text) => {
      const message = errorOf(text);
      for (const value of secrets) {
        // Not even a run of 6 of its characters.
        for (let start = 0; start + 6 <= value.length; start += 1) {
          expect(message).not.toContain(value.slice(start, start + 6));
        }
      }
    });

    it('do not quote a client id as long as a secret, as it may be one', () => {
      expect(errorOf(`${hexSecret}:short`)).toMatch(
        /^expected <client id>:<secret>\[,…\]: entry 1: the secret/,
      );
    });
  });
});
