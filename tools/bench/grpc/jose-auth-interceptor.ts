import { Metadata, ServerInterceptingCall, status, type ServerInterceptor } from '@grpc/grpc-js';
import type { JWTPayload } from 'jose';

/**
 * Lets a call through once `check` accepted its `authorization` header (grpc-js holds its
 * message meanwhile); answers UNAUTHENTICATED otherwise.
 */
export function joseAuthInterceptor(
  check: (authorization: string | undefined) => Promise<JWTPayload>,
): ServerInterceptor {
  return (_method, call) => {
    const intercepting: ServerInterceptingCall = new ServerInterceptingCall(call, {
      start: (next) =>
        next({
          onReceiveMetadata: (metadata, metadataNext) => {
            const [authorization] = metadata.get('authorization');
            check(typeof authorization === 'string' ? authorization : undefined).then(
              () => metadataNext(metadata),
              () =>
                intercepting.sendStatus({
                  code: status.UNAUTHENTICATED,
                  details: 'invalid token',
                  metadata: new Metadata(),
                }),
            );
          },
        }),
    });
    return intercepting;
  };
}
