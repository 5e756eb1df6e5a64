export { validationServerInterceptor } from './validation.interceptor.js';
export type { ValidationServerOptions } from './validation-options.js';
