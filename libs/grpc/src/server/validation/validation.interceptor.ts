import { ResponderBuilder, ServerListenerBuilder } from '@grpc/grpc-js';
import { createServerInterceptor } from '../../chain/create-server-interceptor.js';
import { invalidRequestError } from '@platform/core';
import type { ValidationServerOptions } from './validation-options.js';
import { statusOf } from '../../call/grpc-error-shape.js';

/**
 * Server interceptor that runs the method's request validator on every incoming message and
 * answers INVALID_ARGUMENT with google.rpc.BadRequest field violations before the handler
 * sees an invalid request. Last in the chain: only authenticated, admitted calls are parsed
 * for validity.
 */
export function validationServerInterceptor(options: ValidationServerOptions) {
  const validators = new Map(Object.entries(options.validators));
  return createServerInterceptor(
    'validation',
    (context, wire) => {
      const validate = validators.get(context.method.path);
      if (!validate) return undefined;
      let rejected = false;
      const listener = new ServerListenerBuilder()
        .withOnReceiveMessage((message, next) => {
          if (rejected) return;
          const violations = validate(message as never) ?? [];
          if (violations.length === 0) return next(message);
          rejected = true;
          const error = invalidRequestError(violations);
          wire.sendStatus(statusOf(error));
        })
        .withOnReceiveHalfClose((next) => {
          if (!rejected) next();
        })
        .build();
      return new ResponderBuilder().withStart((next) => next(listener)).build();
    },
    options.selector,
  );
}
