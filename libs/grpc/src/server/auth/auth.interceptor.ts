import { ResponderBuilder, ServerListenerBuilder, status as GrpcStatus, type Metadata } from '@grpc/grpc-js';
import type { MethodInfo } from '../../call/method-info.js';
import { createServerInterceptor } from '../../chain/create-server-interceptor.js';
import type { Principal } from '@platform/core';
import { PlatformError } from '@platform/core';
import { infrastructureMethods, not } from '../../call/method-selector.js';
import { AuthErrorReason } from '../../call/auth-errors.js';
import type { AuthServerOptions, RequiredRoles } from './auth-options.js';
import { statusOf } from '../../call/grpc-error-shape.js';
import { authError, roleRequiredError } from '../../call/auth-errors.js';
import { VerifiedTokenCache } from './token-cache.js';

const defaultCacheSize = 10_000;

// RFC 6750 `Bearer b64token`; the scheme is case-insensitive.
const bearerPattern = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/** The bearer token of the call's metadata; throws TOKEN_MISSING / TOKEN_MALFORMED. */
function bearerToken(metadata: Metadata): string {
  const values = metadata.get('authorization');
  if (values.length === 0) throw authError(AuthErrorReason.TOKEN_MISSING);
  const [value] = values;
  const match = values.length === 1 && typeof value === 'string' ? bearerPattern.exec(value) : null;
  if (!match?.[1]) throw authError(AuthErrorReason.TOKEN_MALFORMED);
  return match[1];
}

function rolesResolver(
  required: RequiredRoles | undefined,
): (method: MethodInfo) => readonly string[] | undefined {
  if (!required) return () => undefined;
  if (typeof required === 'function') return required;
  return (method) =>
    Object.hasOwn(required, method.path)
      ? required[method.path]
      : Object.hasOwn(required, method.service)
        ? required[method.service]
        : undefined;
}

/**
 * Server auth interceptor: every selected call needs `authorization: Bearer <token>`, checked
 * by the verifier (verified tokens are cached until they expire, and concurrent calls with the
 * same uncached token share one verification). On success the principal is set on the call
 * context and the call goes on once verification resolved (grpc-js holds the call's messages
 * until then); a call cancelled meanwhile is left alone. Failures end the call before the
 * handler: UNAUTHENTICATED with an {@link AuthErrorReason}, or PERMISSION_DENIED
 * (`ROLE_REQUIRED`) when the principal holds none of the method's required roles.
 *
 * Place it after the context, error and tracing interceptors (so rejections are well-formed,
 * traced and logged) and before rate limiting (which keys buckets by the principal).
 */
export function authServerInterceptor(options: AuthServerOptions) {
  const { verifier } = options;
  const clock = options.clock ?? Date.now;
  const cache = new VerifiedTokenCache(options.cacheSize ?? defaultCacheSize, clock);
  const verifying = new Map<string, Promise<Principal>>();
  const requiredRoles = rolesResolver(options.requiredRoles);

  /** The principal of a token: synchronously from the cache, else a shared verification. */
  const authenticate = (token: string): Principal | Promise<Principal> => {
    const cached = cache.get(token);
    if (cached) return cached;
    let pending = verifying.get(token);
    if (!pending) {
      pending = Promise.resolve()
        .then(() => verifier.verify(token))
        .then((verified) => {
          const principal = verified.token === token ? verified : Object.freeze({ ...verified, token });
          cache.set(token, principal);
          return principal;
        })
        .finally(() => verifying.delete(token));
      verifying.set(token, pending);
    }
    return pending;
  };

  return createServerInterceptor(
    'auth',
    (context, wire) => {
      let ended = false;
      context.onEnd(() => {
        ended = true;
      });

      const fail = (error: unknown) => {
        if (ended) return;
        if (error instanceof PlatformError) {
          wire.sendStatus(statusOf(error));
          return;
        }
        // The verifier itself failed (keys unreadable, a bug): not the caller's fault. The
        // error interceptor turns this into INTERNAL with an error id; the cause is logged.
        context.error ??= error;
        wire.sendStatus({ code: GrpcStatus.INTERNAL, details: 'Token verification failed' });
      };

      const listener = new ServerListenerBuilder()
        .withOnReceiveMetadata((metadata, next) => {
          const admit = (principal: Principal) => {
            if (ended) return;
            context.principal = principal;
            const roles = requiredRoles(context.method);
            if (roles?.length && !roles.some((role) => principal.roles.includes(role))) {
              fail(roleRequiredError(roles));
              return;
            }
            next(metadata);
          };

          let result: Principal | Promise<Principal>;
          try {
            result = authenticate(bearerToken(metadata));
          } catch (error) {
            fail(error);
            return;
          }
          if (result instanceof Promise) {
            result.then(admit, fail).catch(fail);
          } else {
            admit(result);
          }
        })
        .build();
      return new ResponderBuilder().withStart((next) => next(listener)).build();
    },
    options.selector ?? not(infrastructureMethods),
  );
}
