import { ConfigError, loadConfig } from '@platform/config';
import { describe, expect, it } from 'vitest';
import { userServiceConfig } from './user-service.config.js';
import { resolveUserServiceSettings } from './user-service-settings.js';

const strong = 'Tr4in-station-Platform-9';

/** The settings of these variables, or the problems (variable: message) they were refused with. */
function settle(env: Record<string, string>) {
  try {
    return resolveUserServiceSettings(loadConfig(userServiceConfig, env));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems.map((problem) => `${problem.variable}: ${problem.message}`);
  }
}

describe('resolveUserServiceSettings', () => {
  it('has no bootstrap admin and no service clients when neither is configured', () => {
    const settings = settle({});
    expect(settings).not.toBeInstanceOf(Array);
    expect(settings).toMatchObject({ bootstrapAdmin: undefined });
  });

  it('takes the bootstrap admin as a pair, its email trimmed', () => {
    expect(
      settle({ BOOTSTRAP_ADMIN_EMAIL: ' admin@example.com ', BOOTSTRAP_ADMIN_PASSWORD: strong }),
    ).toMatchObject({ bootstrapAdmin: { email: 'admin@example.com', password: strong } });
  });

  it('refuses half a pair, naming the variable that is missing', () => {
    expect(settle({ BOOTSTRAP_ADMIN_PASSWORD: strong })).toEqual([
      'BOOTSTRAP_ADMIN_EMAIL: required when BOOTSTRAP_ADMIN_PASSWORD is set',
    ]);
    expect(settle({ BOOTSTRAP_ADMIN_EMAIL: 'admin@example.com' })).toEqual([
      'BOOTSTRAP_ADMIN_PASSWORD: required when BOOTSTRAP_ADMIN_EMAIL is set',
    ]);
  });

  it('refuses an admin email that is not an address', () => {
    expect(settle({ BOOTSTRAP_ADMIN_EMAIL: 'admin', BOOTSTRAP_ADMIN_PASSWORD: strong })).toEqual([
      'BOOTSTRAP_ADMIN_EMAIL: expected an email address, got "admin"',
    ]);
  });
});
