import * as z from 'zod';

/** The variables of a process: environment variable name -> the zod schema parsing its string. */
export type ConfigShape = Record<string, z.ZodType<unknown, string | undefined>>;

/** A configuration schema, from {@link defineConfig}. */
export type ConfigSchema<Shape extends ConfigShape = ConfigShape> = z.ZodObject<Shape>;

/** The loaded configuration: one typed, frozen value per variable, keyed by variable name. */
export type Config<Schema extends ConfigSchema> = Readonly<z.output<Schema>>;

/**
 * Declares the configuration of a process. Keys are environment variable names, so code and
 * deployment manifests use the same words; values are variable kinds (`port()`, `duration()`,
 * `secret(...)`, or any zod schema of a string), with `.optional()` or `.default(value)`.
 */
export function defineConfig<const Shape extends ConfigShape>(shape: Shape): ConfigSchema<Shape> {
  return z.object(shape);
}
