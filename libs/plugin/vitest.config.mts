import { defineProjectTestConfig } from '../../vitest.shared.mts';

export default defineProjectTestConfig({ include: ['src/**/*.spec.mjs'] });
