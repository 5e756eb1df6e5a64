// Client-side errors: failed calls as typed errors with their google.rpc details decoded.
export { ClientError } from './client-error.js';
export { httpStatusOf } from './http-status-of.js';
