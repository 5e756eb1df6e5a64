export { validationServerInterceptor } from './validation.interceptor.js';
export type { RequestValidator, ValidationServerOptions } from './validation-options.js';
