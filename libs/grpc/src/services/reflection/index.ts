export { addReflection } from './add-reflection.js';
export type { ReflectionOptions } from './reflection-options.js';
