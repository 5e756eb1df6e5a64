import { describe, expect, it } from 'vitest';
import { nameProblem, serviceNames } from './service-names.mjs';

const free = () => undefined;

describe('serviceNames', () => {
  it.each(['inventory', 'loyalty-points', 'shipping2'])(
    'gives %s a valid name everywhere it is used',
    (name) => {
      expect(nameProblem(name, free)).toBeUndefined();
      const names = serviceNames(name);
      // buf STANDARD: PACKAGE_LOWER_SNAKE_CASE, PACKAGE_VERSION_SUFFIX, PACKAGE_DIRECTORY_MATCH
      expect(names.protoPackage).toMatch(/^platform\.[a-z][a-z0-9_]*\.v1$/);
      expect(names.protoDir).toBe(`protos/${names.protoPackage.replaceAll('.', '/')}`);
      for (const identifier of [names.camel, names.pascal, names.serviceType, names.resource]) {
        expect(identifier).toMatch(/^[A-Za-z][A-Za-z0-9]*$/);
      }
      expect(names.pascal).toMatch(/^[A-Z]/);
      expect(names.camel).toMatch(/^[a-z]/);
      expect(`${names.constant}_GRPC_PORT`).toMatch(/^[A-Z][A-Z0-9_]*$/);
      // PostgreSQL identifiers without quoting, within NAMEDATALEN
      expect(names.database).toMatch(/^[a-z_][a-z0-9_]{0,62}$/);
      // Kafka topic names; the event declarations' spec wants `<package segment>.events.v1`
      expect(names.topic).toMatch(/^[a-zA-Z0-9._-]{1,249}$/);
      expect(names.topic).toBe(`${names.protoPackage.split('.')[1]}.events.v1`);
      // Kubernetes object names are DNS-1123 labels; Nx project and npm names take the same
      for (const label of [names.app, names.domain])
        expect(label).toMatch(/^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/);
    },
  );

  it('derives each form of a two-word name', () => {
    expect(serviceNames('loyalty-points')).toMatchObject({
      pascal: 'LoyaltyPoints',
      camel: 'loyaltyPoints',
      constant: 'LOYALTY_POINTS',
      app: 'loyalty-points-service',
      domain: 'loyalty-points-domain',
      protoPackage: 'platform.loyalty_points.v1',
      serviceType: 'LoyaltyPointsService',
      database: 'loyalty_points_service',
      topic: 'loyalty_points.events.v1',
    });
  });
});

describe('nameProblem', () => {
  it.each([
    ['Order', /upper-case.*"order"/],
    ['1abc', /must start with a letter/],
    ['a_b', /only lower-case letters, digits and single hyphens.*"a-b"/],
    ['stock--level', /single hyphens/],
    ['stock-', /single hyphens/],
    ['stock-2b', /each word must start with a letter/],
    ['class', /reserved/],
    ['platform', /reserved/],
    ['events', /reserved/],
    ['stock-service', /ends with "-service"/],
    ['', /needs a name/],
    ['a'.repeat(31), /at most 30/],
  ])('refuses %j and says why', (name, why) => {
    expect(nameProblem(name, free)).toMatch(why);
  });

  it('refuses a name the workspace has taken', () => {
    expect(nameProblem('order', (names) => `${names.app} exists`)).toBe('order-service exists');
  });
});
