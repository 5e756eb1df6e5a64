import { defineProjectTestConfig } from '../../vitest.shared.mts';

export default defineProjectTestConfig();
