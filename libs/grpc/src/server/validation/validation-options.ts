import type { RequestValidator } from '@platform/core';
import type { MethodSelector } from '../../call/method-selector.js';

/** Options of the validation interceptor. */
export interface ValidationServerOptions {
  /**
   * Validators by full method path (`/platform.order.v1.OrderService/CreateOrder`). For
   * streaming requests the validator sees each message; the first invalid one ends the call.
   */
  validators: Readonly<Record<string, RequestValidator>>;
  /** Which methods to validate. Defaults to every method that has a validator. */
  selector?: MethodSelector;
}
