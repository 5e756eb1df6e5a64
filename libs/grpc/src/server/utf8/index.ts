export { utf8Interceptor, invalidUtf8Error } from './utf8.interceptor.js';
export { isUtf8Checked, utf8Checked, utf8CheckedPackage } from './utf8-checked.js';
export { InvalidUtf8Request } from './invalid-utf8-request.js';
