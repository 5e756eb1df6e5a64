import { ConfigError, type ConfigProblem } from '@platform/config';
import {
  parseServiceClients,
  PasswordHasher,
  PasswordPolicy,
  ServiceClients,
  type ScryptParameters,
} from '@platform/user-domain';
import * as z from 'zod';
import type { UserServiceConfig } from './user-service.config.js';

/** What the configuration means once the variables that depend on each other are checked. */
export interface UserServiceSettings {
  readonly scrypt: ScryptParameters;
  readonly passwordPolicy: PasswordPolicy;
  readonly serviceClients: ServiceClients;
  readonly bootstrapAdmin: { email: string; password: string } | undefined;
}

/** Runs `build`; a failure becomes a problem of `variable` (messages never hold secret values). */
function attempt<T>(problems: ConfigProblem[], variable: string, build: () => T): T | undefined {
  try {
    return build();
  } catch (error) {
    problems.push({ variable, message: (error as Error).message });
    return undefined;
  }
}

/**
 * Checks what single variables cannot: scrypt parameters together, the service clients' form, the bootstrap admin's email and password as a pair and against the
 * password policy. Throws a {@link ConfigError} naming every bad variable.
 */
export function resolveUserServiceSettings(config: UserServiceConfig): UserServiceSettings {
  const problems: ConfigProblem[] = [];
  const scrypt: ScryptParameters = {
    cost: config.PASSWORD_SCRYPT_COST,
    blockSize: config.PASSWORD_SCRYPT_BLOCK_SIZE,
    parallelization: config.PASSWORD_SCRYPT_PARALLELIZATION,
  };
  attempt(problems, 'PASSWORD_SCRYPT_COST', () => new PasswordHasher(scrypt));
  const passwordPolicy = new PasswordPolicy({ minLength: config.PASSWORD_MIN_LENGTH });
  const serviceClients =
    attempt(
      problems,
      'AUTH_SERVICE_CLIENTS',
      () =>
        new ServiceClients(
          config.AUTH_SERVICE_CLIENTS ? parseServiceClients(config.AUTH_SERVICE_CLIENTS) : [],
        ),
    ) ?? new ServiceClients([]);
  const bootstrapAdmin = attempt(problems, 'BOOTSTRAP_ADMIN_EMAIL', () => {
    const email = config.BOOTSTRAP_ADMIN_EMAIL?.trim();
    const password = config.BOOTSTRAP_ADMIN_PASSWORD;
    if (!email && !password) return undefined;
    if (!email) throw new Error('required when BOOTSTRAP_ADMIN_PASSWORD is set');
    if (!z.regexes.email.test(email))
      throw new Error(`expected an email address, got ${JSON.stringify(email)}`);
    if (!password) {
      problems.push({
        variable: 'BOOTSTRAP_ADMIN_PASSWORD',
        message: 'required when BOOTSTRAP_ADMIN_EMAIL is set',
      });
      return undefined;
    }
    const [weak] = passwordPolicy.check(password, { email });
    if (weak) {
      problems.push({ variable: 'BOOTSTRAP_ADMIN_PASSWORD', message: `the password ${weak.description}` });
      return undefined;
    }
    return { email, password };
  });
  if (problems.length) throw new ConfigError(problems);
  return { scrypt, passwordPolicy, serviceClients, bootstrapAdmin };
}
