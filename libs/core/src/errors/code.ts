/**
 * google.rpc.Code: the canonical error codes, the same numbers on every transport (gRPC's status
 * codes are these). The generated enum of @platform/proto spells them as strings (ts-proto's
 * `stringEnums`), so the numbers live here.
 */
export const Code = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const;

/** One of the {@link Code} numbers. */
export type Code = (typeof Code)[keyof typeof Code];

const names = Object.keys(Code) as (keyof typeof Code)[];

/** The name of a code (`NOT_FOUND`), or `undefined` for a number that is none. */
export function codeName(code: number): keyof typeof Code | undefined {
  return names[code];
}
