/** Options of the server error interceptor. */
export interface ErrorInterceptorOptions {
  /**
   * ErrorInfo domain for errors that do not name one, for example `order.platform`: the
   * service that produced the error. Required: clients key reasons by (domain, reason).
   */
  domain: string;
  /**
   * Largest serialized google.rpc.Status sent in `grpc-status-details-bin`, in bytes; details
   * are dropped (DebugInfo first, ErrorInfo last) to fit. Trailers travel through proxies with
   * header-size limits (8 KiB is common). Defaults to 4096 bytes.
   */
  maxStatusDetailsBytes?: number;
  /** Produces ids for INTERNAL errors. Defaults to `crypto.randomUUID`. */
  newErrorId?: () => string;
}
