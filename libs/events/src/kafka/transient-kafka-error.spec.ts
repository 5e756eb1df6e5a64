import {
  KafkaJSConnectionError,
  KafkaJSGroupCoordinatorNotFound,
  KafkaJSLockTimeout,
  KafkaJSNonRetriableError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSProtocolError,
  KafkaJSSASLAuthenticationError,
} from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { isTransientKafkaError } from './transient-kafka-error.js';

const protocolError = (type: string, retriable: boolean) =>
  new KafkaJSProtocolError(Object.assign(new Error(type), { type, code: 0, retriable }));
const NonRetriable = KafkaJSNonRetriableError as unknown as new (
  error: Error,
  metadata: { cause: Error },
) => KafkaJSNonRetriableError;
const wrapped = (cause: Error) => new NonRetriable(cause, { cause });
// kafkajs's types declare these constructors without arguments; kafkajs itself passes a message.
const withMessage = <T>(ErrorClass: new () => T, message: string): T =>
  new (ErrorClass as unknown as new (text: string) => T)(message);

describe('isTransientKafkaError', () => {
  it.each([
    [
      'a group coordinator not found (a broker that just restarted)',
      withMessage(KafkaJSGroupCoordinatorNotFound, 'x'),
    ],
    ['a lock timeout', withMessage(KafkaJSLockTimeout, 'x')],
    ['a refused connection wrapped by the retrier', wrapped(new KafkaJSConnectionError('ECONNREFUSED'))],
    [
      'retries exhausted on a coordinator still loading',
      new KafkaJSNumberOfRetriesExceeded(protocolError('COORDINATOR_LOAD_IN_PROGRESS', true), {
        retryCount: 8,
        retryTime: 3000,
      }),
    ],
  ])('is true for %s', (_, error) => expect(isTransientKafkaError(error)).toBe(true));

  it.each([
    ['a failed authentication', withMessage(KafkaJSSASLAuthenticationError, 'bad password')],
    ['an authorization refusal', wrapped(protocolError('GROUP_AUTHORIZATION_FAILED', false))],
    ['a session timeout the broker refuses', protocolError('INVALID_SESSION_TIMEOUT', false)],
    ['a plain bug', new TypeError('undefined is not a function')],
    ['something that is not an error', 'ECONNREFUSED'],
  ])('is false for %s', (_, error) => expect(isTransientKafkaError(error)).toBe(false));
});
