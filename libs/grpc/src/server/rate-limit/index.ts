// Rate limiting: per-caller token buckets as a server interceptor.
export { rateLimitServerInterceptor } from './rate-limit.interceptor.js';
export type { RateLimit, RateLimitOptions } from './rate-limit-options.js';
