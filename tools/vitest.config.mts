import { defineProjectTestConfig } from '../vitest.shared.mts';

export default defineProjectTestConfig({ include: ['**/*.spec.ts', '**/*.spec.mjs'] });
