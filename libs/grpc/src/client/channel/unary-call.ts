import {
  Metadata,
  status as GrpcStatus,
  type CallOptions,
  type ClientUnaryCall,
  type ServiceError,
} from '@grpc/grpc-js';
import { ClientError } from '../errors/client-error.js';

/** A unary method of a generated client, in its full (request, metadata, options, callback) form. */
export type UnaryMethod<Request, Response> = (
  request: Request,
  metadata: Metadata,
  options: Partial<CallOptions>,
  callback: (error: ServiceError | null, response: Response) => void,
) => ClientUnaryCall;

/** Call options of {@link unaryCall}: grpc-js's, plus an AbortSignal that cancels the call. */
export type UnaryCallOptions = Partial<CallOptions> & { signal?: AbortSignal };

/**
 * Calls a unary method and returns its response, or rejects with a {@link ClientError}:
 * `await unaryCall(client.getOrder.bind(client), { orderId })`.
 */
export function unaryCall<Request, Response>(
  method: UnaryMethod<Request, Response>,
  request: Request,
  metadata: Metadata = new Metadata(),
  options: UnaryCallOptions = {},
): Promise<Response> {
  const { signal, ...callOptions } = options;
  return new Promise<Response>((resolve, reject) => {
    if (signal?.aborted) {
      reject(new ClientError(GrpcStatus.CANCELLED, 'Cancelled before the call started'));
      return;
    }
    const cancel = () => call.cancel();
    const call = method(request, metadata, callOptions, (error, response) => {
      signal?.removeEventListener('abort', cancel);
      if (error) reject(ClientError.from(error));
      else resolve(response);
    });
    signal?.addEventListener('abort', cancel, { once: true });
  });
}
