import { ResponderBuilder, ServerListenerBuilder } from '@grpc/grpc-js';
import { createServerInterceptor } from '../../chain/create-server-interceptor.js';
import { InvalidArgumentError } from '@platform/core';
import { InvalidUtf8Request } from './invalid-utf8-request.js';
import { isUtf8Checked } from './utf8-checked.js';
import { statusOf } from '../../call/grpc-error-shape.js';

/** The error of a request whose `string` field holds invalid UTF-8. */
export function invalidUtf8Error(request: InvalidUtf8Request, messageIndex?: number): InvalidArgumentError {
  const { violation } = request;
  return new InvalidArgumentError(
    `Invalid request: ${violation.field} ${violation.description}`,
    [{ ...violation, reason: 'INVALID_UTF8' }],
    {
      reason: 'INVALID_UTF8',
      ...(messageIndex !== undefined && { metadata: { messageIndex: String(messageIndex) } }),
    },
  );
}

/**
 * Server interceptor that answers INVALID_ARGUMENT (reason INVALID_UTF8, a BadRequest field
 * violation naming the field path) for a request message whose strings are not valid UTF-8, as
 * found by the {@link utf8Checked} deserializer, before any handler or validator sees it. In a
 * client or bidi stream the first such message ends the call; ErrorInfo metadata `messageIndex`
 * says which (zero-based, as ImportOrders results count items). Methods whose deserializer is
 * not checked pass through without a layer.
 */
export const utf8Interceptor = createServerInterceptor('utf8', (context, wire, definition) => {
  if (!isUtf8Checked(definition.requestDeserialize)) return undefined;
  const streamed = context.method.requestStream;
  let received = 0;
  let rejected = false;
  const listener = new ServerListenerBuilder()
    .withOnReceiveMessage((message, next) => {
      if (rejected) return;
      if (!(message instanceof InvalidUtf8Request)) {
        received += 1;
        next(message);
        return;
      }
      rejected = true;
      const error = invalidUtf8Error(message, streamed ? received : undefined);
      wire.sendStatus(statusOf(error));
    })
    .withOnReceiveHalfClose((next) => {
      if (!rejected) next();
    })
    .build();
  return new ResponderBuilder().withStart((next) => next(listener)).build();
});
