import { Role } from '@platform/proto';

/**
 * A token role as the contracts spell it, for what clients read (ErrorInfo metadata): the
 * platform.user.v1.Role name (`service` -> `ROLE_SERVICE`), the spelling AuthenticateResponse
 * gives the same roles in. A role the enum lacks keeps the token's spelling.
 */
export function contractRoleName(role: string): string {
  const name = `ROLE_${role.toUpperCase()}`;
  return name !== 'ROLE_UNSPECIFIED' && Object.hasOwn(Role, name) ? name : role;
}
