/** The four gRPC call kinds, named as in the `grpc_type` label of go-grpc-prometheus. */
export type MethodType = 'unary' | 'client_stream' | 'server_stream' | 'bidi_stream';

/** What interceptors know about the method a call is for. */
export interface MethodInfo {
  /** Full path, `/platform.order.v1.OrderService/GetOrder`. */
  readonly path: string;
  /** Fully qualified service, `platform.order.v1.OrderService`. */
  readonly service: string;
  /** Method name as in the proto, `GetOrder`. */
  readonly method: string;
  readonly type: MethodType;
  readonly requestStream: boolean;
  readonly responseStream: boolean;
}

// Every interceptor of every call describes its method: each description is made once. The
// paths come from service definitions and registered handlers; the bound only guards against a
// caller that describes paths it was sent.
const described = new Map<string, MethodInfo>();
const maxDescribed = 1024;

/** Describes a method from its path and streaming flags (the same frozen object for the same method). */
export function describeMethod(path: string, requestStream: boolean, responseStream: boolean): MethodInfo {
  const known = described.get(path);
  if (known?.requestStream === requestStream && known.responseStream === responseStream) return known;
  const method = newMethodInfo(path, requestStream, responseStream);
  if (described.size < maxDescribed) described.set(path, method);
  return method;
}

function newMethodInfo(path: string, requestStream: boolean, responseStream: boolean): MethodInfo {
  const [, service = '', method = ''] = /^\/([^/]+)\/([^/]+)$/.exec(path) ?? [];
  const type: MethodType = requestStream
    ? responseStream
      ? 'bidi_stream'
      : 'client_stream'
    : responseStream
      ? 'server_stream'
      : 'unary';
  return Object.freeze({
    path,
    service: service || 'unknown',
    method: method || path,
    type,
    requestStream,
    responseStream,
  });
}
