// One lint configuration for the workspace. Module boundaries (DESIGN.md) are enforced here
// through Nx project tags. The shared libs are layered; a layer imports only layers below it:
//
//   layer:core          the vocabulary, no transport: core (call scope, errors, page tokens), config
//   layer:observability tracing, metrics and logging setup   -> core
//   layer:db            the database layer                    -> core
//   layer:grpc          the gRPC chains on grpc-js            -> core, observability
//   layer:events        the Kafka event layer (outbox, inbox) -> core, observability, db
//   layer:adapter       the NestJS adapter (libs/nest)        -> core, observability, grpc
//   layer:runtime       the service runtime (libs/service)    -> everything above
//   type:domain         a service's domain logic              -> core, db, events (never grpc or Nest)
//   type:app            apps: thin containers wiring libs     -> all of the above
//
//   type:proto     generated contracts (libs/proto);  type:contracts  the .proto files
//   type:testing   harnesses for tests (libs/testing); type:tool  scripts in tools/
//   type:e2e       suites that run the built apps as processes (apps/platform-e2e)
//   scope:*        which service a project belongs to; services meet only through contracts.
// `@nestjs/*` may be imported by libs/nest and apps only; the transport-free layers import no
// `@grpc/*` either (rules below the boundaries).
import nx from '@nx/eslint-plugin';

const below = {
  core: ['layer:core', 'type:proto'],
  observability: ['layer:core', 'layer:observability', 'type:proto'],
  db: ['layer:core', 'layer:db', 'type:proto'],
  grpc: ['layer:core', 'layer:observability', 'layer:grpc', 'type:proto'],
  events: ['layer:core', 'layer:observability', 'layer:db', 'layer:events', 'type:proto'],
  adapter: ['layer:core', 'layer:observability', 'layer:grpc', 'layer:adapter', 'type:proto'],
};
const allLibs = [...new Set([...Object.values(below).flat(), 'layer:runtime'])];

export const depConstraints = [
  { sourceTag: 'layer:core', onlyDependOnLibsWithTags: below.core },
  { sourceTag: 'layer:observability', onlyDependOnLibsWithTags: below.observability },
  { sourceTag: 'layer:db', onlyDependOnLibsWithTags: below.db },
  { sourceTag: 'layer:grpc', onlyDependOnLibsWithTags: below.grpc },
  { sourceTag: 'layer:events', onlyDependOnLibsWithTags: below.events },
  { sourceTag: 'layer:adapter', onlyDependOnLibsWithTags: below.adapter },
  { sourceTag: 'layer:runtime', onlyDependOnLibsWithTags: allLibs },
  {
    sourceTag: 'type:domain',
    onlyDependOnLibsWithTags: ['layer:core', 'layer:db', 'layer:events', 'type:proto', 'type:domain'],
  },
  { sourceTag: 'type:app', onlyDependOnLibsWithTags: [...allLibs, 'type:domain', 'type:testing'] },
  // End-to-end suites drive the built apps over gRPC and Kafka: no domain code, no app code.
  {
    sourceTag: 'type:e2e',
    onlyDependOnLibsWithTags: [...below.grpc, 'layer:db', 'layer:events', 'type:testing'],
  },
  { sourceTag: 'type:testing', onlyDependOnLibsWithTags: [...below.grpc, 'layer:db', 'type:testing'] },
  { sourceTag: 'type:proto', onlyDependOnLibsWithTags: ['type:contracts'] },
  { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: [] },
  { sourceTag: 'type:tool', onlyDependOnLibsWithTags: [...allLibs, 'type:testing', 'type:tool'] },
  { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
  { sourceTag: 'scope:user', onlyDependOnLibsWithTags: ['scope:user', 'scope:shared'] },
  { sourceTag: 'scope:order', onlyDependOnLibsWithTags: ['scope:order', 'scope:shared'] },
  { sourceTag: 'scope:fulfillment', onlyDependOnLibsWithTags: ['scope:fulfillment', 'scope:shared'] },
  { sourceTag: 'scope:platform', onlyDependOnLibsWithTags: ['scope:shared'] },
];

// Tests (and their fixtures) may also use the shared harnesses of libs/testing.
const testDepConstraints = depConstraints.map((constraint) =>
  (constraint.sourceTag.startsWith('type:') || constraint.sourceTag.startsWith('layer:')) &&
  constraint.sourceTag !== 'type:contracts'
    ? {
        ...constraint,
        onlyDependOnLibsWithTags: [...new Set([...constraint.onlyDependOnLibsWithTags, 'type:testing'])],
      }
    : constraint,
);

const nestOnlyInAdapterAndApps = {
  group: ['@nestjs/*'],
  message: 'NestJS belongs to the adapter (libs/nest) and the apps; libs stay framework-free.',
};
const noTransport = {
  group: ['@grpc/*', '@platform/grpc', '@platform/grpc/*'],
  message: 'core, db and the domains are transport-free: use @platform/core (Code, errors, call scope).',
};

const conformanceInTestsOnly = {
  group: ['@platform/grpc/conformance'],
  message: 'The conformance suites are test code: import them from specs and fixtures only.',
};

const boundaries = (constraints) => [
  'error',
  { enforceBuildableLibDependency: true, allow: [], depConstraints: constraints },
];

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  {
    ignores: ['**/dist', '**/node_modules', '**/.nx', '**/src/gen', '**/coverage', '**/tmp'],
  },
  {
    files: ['**/*.ts', '**/*.mts', '**/*.js', '**/*.mjs'],
    rules: {
      '@nx/enforce-module-boundaries': boundaries(depConstraints),
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    files: ['**/*.ts', '**/*.mjs'],
    ignores: ['**/*.spec.ts', '**/*.spec.mjs', '**/__fixtures__/**', 'libs/grpc/src/conformance/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [conformanceInTestsOnly] }] },
  },
  {
    files: ['libs/**/*.ts', 'tools/**/*.ts', 'tools/**/*.mjs'],
    // The benchmarks measure bare NestJS against the chain; they are no product code.
    ignores: ['libs/nest/**', 'tools/bench/**', '**/*.spec.ts', '**/*.spec.mjs', '**/__fixtures__/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [nestOnlyInAdapterAndApps, conformanceInTestsOnly] }],
    },
  },
  {
    files: ['libs/**/*.spec.ts', 'libs/**/__fixtures__/**/*.ts'],
    ignores: ['libs/nest/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [nestOnlyInAdapterAndApps] }] },
  },
  {
    files: ['libs/core/**/*.ts', 'libs/db/**/*.ts', 'libs/*/domain/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [nestOnlyInAdapterAndApps, noTransport] }] },
  },
  {
    files: ['**/*.spec.ts', '**/*.spec.mjs', '**/__fixtures__/**/*.ts'],
    rules: { '@nx/enforce-module-boundaries': boundaries(testDepConstraints) },
  },
  {
    // Examples show the public API exactly as a consumer imports it (`@platform/grpc`).
    files: ['**/*.example.ts'],
    rules: { '@nx/enforce-module-boundaries': 'off' },
  },
  {
    // Tool configuration files share the workspace's base config by relative import.
    files: ['**/vitest.config.mts', '**/eslint.config.mjs'],
    rules: { '@nx/enforce-module-boundaries': 'off' },
  },
];
