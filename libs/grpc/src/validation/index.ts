export { validationServerInterceptor } from './validation.interceptor.js';
export { invalidRequestError } from './invalid-request-error.js';
export type { RequestValidator, ValidationServerOptions } from './validation-options.js';
