import { logLevel } from 'kafkajs';

/** The pino level a kafkajs log line is written at. */
export type BridgedLevel = 'error' | 'warn' | 'info' | 'debug';

const levels: Record<number, BridgedLevel> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/**
 * kafkajs warnings that do not apply here: the relay's producer is idempotent with bounded
 * retries on purpose (at-least-once; consumers deduplicate by event id, and a bounded publish
 * lets the relay back off and stop cleanly while Kafka is down).
 */
const quiet = ['Limiting retries for the idempotent producer'];

/**
 * kafkajs logs one attempt of something it retries at ERROR: an error response (a coordinator
 * still loading, a leader moving), a connection that failed or closed (`write after end` while
 * a fresh broker starts), a consumer crash it restarts. None needs a person: what kafkajs gives
 * up on reaches libs/events as an error, which says it once in plain words (the relay's first
 * failed batch, EventConsumer's crash report). These lines are kept at debug for diagnosis.
 */
const retriedAttempts = [
  'Response ',
  'Connection error: ',
  'Connection timeout',
  'Failed to connect to seed broker',
  'Failed to send messages: ',
  'Crash: ',
  'Restarting the consumer in ',
  'The coordinator is not aware of this member, re-joining the group',
];

/** The level of a kafkajs log line: its own, except for the lines above. */
export function kafkaLogLevel(level: number, message: string): BridgedLevel {
  if (quiet.some((prefix) => message.startsWith(prefix))) return 'debug';
  if (retriedAttempts.some((prefix) => message.startsWith(prefix))) return 'debug';
  return levels[level] ?? 'info';
}
