// One lint configuration for the workspace. Module boundaries (DESIGN.md) are enforced here
// through Nx project tags:
//   type:app     apps: thin containers wiring libs
//   type:lib     framework-agnostic building blocks (grpc, events, db, observability, config)
//   type:domain  a service's domain logic
//   type:proto   generated contracts (libs/proto);  type:contracts  the .proto files
//   type:testing harnesses for tests (libs/testing); type:tool  scripts in tools/
//   type:e2e     suites that run the built apps as processes (apps/platform-e2e)
//   scope:*      which service a project belongs to; services meet only through contracts.
import nx from '@nx/eslint-plugin';

export const depConstraints = [
  {
    sourceTag: 'type:app',
    onlyDependOnLibsWithTags: ['type:lib', 'type:domain', 'type:proto', 'type:testing'],
  },
  // End-to-end suites drive the built apps over gRPC and Kafka: no domain code, no app code.
  { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:lib', 'type:proto', 'type:testing'] },
  { sourceTag: 'type:domain', onlyDependOnLibsWithTags: ['type:domain', 'type:lib', 'type:proto'] },
  { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib', 'type:proto'] },
  { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:testing', 'type:lib', 'type:proto'] },
  { sourceTag: 'type:proto', onlyDependOnLibsWithTags: ['type:contracts'] },
  { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: [] },
  {
    sourceTag: 'type:tool',
    onlyDependOnLibsWithTags: ['type:lib', 'type:proto', 'type:testing', 'type:tool'],
  },
  { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
  { sourceTag: 'scope:user', onlyDependOnLibsWithTags: ['scope:user', 'scope:shared'] },
  { sourceTag: 'scope:order', onlyDependOnLibsWithTags: ['scope:order', 'scope:shared'] },
  { sourceTag: 'scope:fulfillment', onlyDependOnLibsWithTags: ['scope:fulfillment', 'scope:shared'] },
  { sourceTag: 'scope:platform', onlyDependOnLibsWithTags: ['scope:shared'] },
];

// Tests (and their fixtures) may also use the shared harnesses of libs/testing.
const testDepConstraints = depConstraints.map((constraint) =>
  constraint.sourceTag.startsWith('type:') && constraint.sourceTag !== 'type:contracts'
    ? {
        ...constraint,
        onlyDependOnLibsWithTags: [...new Set([...constraint.onlyDependOnLibsWithTags, 'type:testing'])],
      }
    : constraint,
);

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
