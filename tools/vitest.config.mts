import { defineProjectTestConfig } from '../vitest.shared.mts';

export default defineProjectTestConfig({ include: ['scripts/**/*.spec.ts', 'scripts/**/*.spec.mjs'] });
