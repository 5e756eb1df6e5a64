import type { FieldViolation } from '../errors/platform-errors.js';
import type { MethodSelector } from '../selector/method-selector.js';

/**
 * Checks one request message. Returns the violations (field paths like `items[3].quantity`);
 * an empty list or `undefined` means valid. Must be synchronous and cheap: it runs on every
 * message before the handler.
 */
export type RequestValidator<Request = never> = (request: Request) => readonly FieldViolation[] | undefined;

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
