// Client deadlines: a deadline on every outgoing call, inherited from the incoming call and
// cancelled with it.
export { deadlineClientInterceptor } from './client-deadline.interceptor.js';
export type { DeadlineClientOptions } from './client-deadline-options.js';
