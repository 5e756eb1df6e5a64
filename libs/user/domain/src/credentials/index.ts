// Credentials: password hashing and policy, service client secrets, sign-in throttling.
export { LoginThrottle, type LoginAttempt } from './login-throttle.js';
export { loginThrottleDefaults, type LoginThrottleOptions } from './login-throttle-options.js';
export { parseServiceClients } from './parse-service-clients.js';
export { PasswordHasher, type PasswordVerification, type ScryptParameters } from './password-hasher.js';
export { PasswordPolicy, type PasswordContext, type PasswordPolicyOptions } from './password-policy.js';
export { ServiceClients, type ServiceClientSecret } from './service-clients.js';
