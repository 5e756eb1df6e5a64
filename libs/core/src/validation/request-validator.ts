import type { FieldViolation } from '../errors/platform-errors.js';

/**
 * Checks one request message. Returns the violations (field paths like `items[3].quantity`);
 * an empty list or `undefined` means valid. Must be synchronous and cheap: it runs on every
 * message before the handler.
 */
export type RequestValidator<Request = never> = (request: Request) => readonly FieldViolation[] | undefined;
