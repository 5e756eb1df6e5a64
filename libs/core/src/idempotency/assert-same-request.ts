import { FailedPreconditionError } from '../errors/platform-errors.js';
import type { IdempotentRow } from './request-hash.js';

/** How {@link assertSameRequest} names the resource: `order`, `orders`, `order_id`. */
export interface IdempotentResource {
  /** In the message: `…already used for another <noun>`. */
  readonly noun: string;
  /** The collection of the violation's subject: `<collection>/<id>`. */
  readonly collection: string;
  /** The error's metadata key holding the row's id. */
  readonly idKey: string;
}

/**
 * Checks that a request whose id made `row` earlier carries the same payload (`requestHash`);
 * otherwise FAILED_PRECONDITION `IDEMPOTENCY_KEY_REUSED` naming the row, as every create with a
 * request id answers.
 */
export function assertSameRequest(
  row: IdempotentRow,
  requestHash: string,
  resource: IdempotentResource,
): void {
  if (row.requestHash === requestHash) return;
  throw new FailedPreconditionError(
    `Request id ${row.requestId} was already used for another ${resource.noun}`,
    [
      {
        type: 'IDEMPOTENCY_KEY',
        subject: `${resource.collection}/${row.id}`,
        description: 'the request id was used with a different payload',
      },
    ],
    { reason: 'IDEMPOTENCY_KEY_REUSED', metadata: { [resource.idKey]: row.id } },
  );
}
