import type { FieldViolation, RequestValidator } from '@platform/core';
import type {
  AuthenticateRequest,
  CreateUserRequest,
  DeactivateUserRequest,
  GetUserOrderStatsRequest,
  GetUserRequest,
  UpdateUserRequest,
} from '@platform/proto';
import * as z from 'zod';
import type { PasswordPolicy } from '../credentials/password-policy.js';
import { accountRoleOf } from './user-message.js';

/** Field limits of the user API, in characters (code points). */
export const userFieldLimits = {
  /** RFC 5321's longest usable address. */
  emailMaxLength: 254,
  displayNameMaxLength: 100,
  deactivateReasonMaxLength: 500,
  /** Credentials longer than this are refused before any hashing (it bounds the work per call). */
  credentialMaxLength: 1024,
} as const;

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// C0/C1 controls, line and paragraph separators, bidi overrides: nothing a name needs.
const controlCharacters = /[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;

const lengthOf = (value: string) => [...value].length;

type Violations = FieldViolation[];

function checkEmail(email: string, field: string, violations: Violations): void {
  const trimmed = email.trim();
  if (!trimmed) violations.push({ field, description: 'is required' });
  else if (lengthOf(trimmed) > userFieldLimits.emailMaxLength) {
    violations.push({ field, description: `must be at most ${userFieldLimits.emailMaxLength} characters` });
  } else if (!z.regexes.email.test(trimmed)) {
    violations.push({ field, description: 'must be an email address like name@example.com' });
  }
}

function checkDisplayName(displayName: string, field: string, violations: Violations): void {
  if (!displayName.trim()) violations.push({ field, description: 'must not be empty' });
  else if (lengthOf(displayName) > userFieldLimits.displayNameMaxLength) {
    violations.push({
      field,
      description: `must be at most ${userFieldLimits.displayNameMaxLength} characters`,
    });
  } else if (controlCharacters.test(displayName)) {
    violations.push({ field, description: 'must not contain control characters' });
  }
}

function checkUserId(userId: string, violations: Violations, field = 'user_id'): void {
  if (!userId) violations.push({ field, description: 'is required' });
  else if (!uuidPattern.test(userId)) violations.push({ field, description: 'must be a user id (a UUID)' });
}

function checkRequired(value: string, field: string, violations: Violations): void {
  if (!value) violations.push({ field, description: 'is required' });
  else if (lengthOf(value) > userFieldLimits.credentialMaxLength) {
    violations.push({
      field,
      description: `must be at most ${userFieldLimits.credentialMaxLength} characters`,
    });
  }
}

/** True for a well-formed user id (a UUID). */
export function isUserId(value: string): boolean {
  return uuidPattern.test(value);
}

/**
 * The validators of UserService's requests, for the validation interceptor: every bad field of
 * a request is reported at once (one BadRequest field violation each), before the handler runs.
 */
export function userRequestValidators(
  passwordPolicy: PasswordPolicy,
): Record<string, RequestValidator<never>> {
  const validators = {
    CreateUser: (request: CreateUserRequest) => {
      const violations: Violations = [];
      checkEmail(request.email, 'email', violations);
      violations.push(
        ...passwordPolicy.check(request.password, { email: request.email, displayName: request.displayName }),
      );
      checkDisplayName(request.displayName, 'display_name', violations);
      return violations;
    },
    Authenticate: (request: AuthenticateRequest) => {
      const violations: Violations = [];
      if (request.password) {
        checkRequired(request.password.email, 'password.email', violations);
        checkRequired(request.password.password, 'password.password', violations);
      } else if (request.client) {
        checkRequired(request.client.clientId, 'client.client_id', violations);
        checkRequired(request.client.clientSecret, 'client.client_secret', violations);
      } else {
        violations.push({ field: 'credentials', description: 'set password or client credentials' });
      }
      return violations;
    },
    GetUser: (request: GetUserRequest) => {
      const violations: Violations = [];
      checkUserId(request.userId, violations);
      return violations;
    },
    GetUserOrderStats: (request: GetUserOrderStatsRequest) => {
      const violations: Violations = [];
      checkUserId(request.userId, violations);
      return violations;
    },
    UpdateUser: (request: UpdateUserRequest) => {
      const violations: Violations = [];
      checkUserId(request.userId, violations);
      const displayName = request.displayName ?? undefined;
      const role = request.role ?? undefined;
      if (displayName === undefined && role === undefined) {
        violations.push({
          field: 'display_name',
          description: 'set display_name or role: there is nothing to update',
        });
      }
      if (displayName !== undefined) checkDisplayName(displayName, 'display_name', violations);
      if (role !== undefined && !accountRoleOf(role)) {
        violations.push({ field: 'role', description: 'must be ROLE_USER or ROLE_ADMIN' });
      }
      return violations;
    },
    DeactivateUser: (request: DeactivateUserRequest) => {
      const violations: Violations = [];
      checkUserId(request.userId, violations);
      if (lengthOf(request.reason) > userFieldLimits.deactivateReasonMaxLength) {
        violations.push({
          field: 'reason',
          description: `must be at most ${userFieldLimits.deactivateReasonMaxLength} characters`,
        });
      }
      return violations;
    },
  };
  return Object.fromEntries(
    Object.entries(validators).map(([method, validator]) => [
      `/platform.user.v1.UserService/${method}`,
      validator as RequestValidator<never>,
    ]),
  );
}
