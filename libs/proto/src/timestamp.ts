import type { Timestamp } from './gen/google/protobuf/timestamp.js';

const millisPerSecond = 1000;
const nanosPerMilli = 1_000_000;

/** Converts a Date to a google.protobuf.Timestamp (int64 seconds carried as a string). */
export function toTimestamp(date: Date): Timestamp {
  const millis = date.getTime();
  if (Number.isNaN(millis)) {
    throw new RangeError('toTimestamp: invalid Date');
  }
  const seconds = Math.floor(millis / millisPerSecond);
  return { seconds: String(seconds), nanos: (millis - seconds * millisPerSecond) * nanosPerMilli };
}

/** Converts a google.protobuf.Timestamp to a Date (sub-millisecond precision is dropped). */
export function fromTimestamp(timestamp: Timestamp): Date {
  return new Date(Number(timestamp.seconds) * millisPerSecond + Math.floor(timestamp.nanos / nanosPerMilli));
}
