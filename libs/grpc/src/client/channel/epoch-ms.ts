import type { Deadline } from '@grpc/grpc-js';

/** A grpc-js deadline as epoch milliseconds; `undefined` for none (absent or infinite). */
export function epochMsOf(deadline: Deadline | undefined): number | undefined {
  if (deadline === undefined) return undefined;
  const epochMs = deadline instanceof Date ? deadline.getTime() : deadline;
  return Number.isFinite(epochMs) ? epochMs : undefined;
}
