import { inspect } from 'node:util';
import type * as z from 'zod';
import { ConfigError, type ConfigProblem } from './config-error.js';
import type { Config, ConfigSchema } from './define-config.js';
import { describeVariable, type VariableIssueParams } from './variables/variable.js';

const redacted = '<redacted>';
const maxQuotedLength = 80;

function quote(raw: string): string {
  const shown = raw.length > maxQuotedLength ? `${raw.slice(0, maxQuotedLength)}…` : raw;
  return JSON.stringify(shown);
}

function describeIssue(
  issue: z.core.$ZodIssue,
  raw: string | undefined,
  secret: boolean,
  schema: z.ZodType,
): string {
  const expected = describeVariable(schema)?.expected;
  if (raw === undefined) {
    return expected ? `required, expected ${expected}, but it is not set` : 'required, but it is not set';
  }
  const params = (issue as { params?: Partial<VariableIssueParams> }).params;
  if (params?.problem !== undefined) {
    if (secret) return `expected ${params.expected}, got ${params.problem}`;
    return `expected ${params.expected}, got ${quote(raw)}${params.detail ? ` (${params.detail})` : ''}`;
  }
  // A plain zod schema or a refinement: its own message, never the value of a secret.
  return secret ? `${issue.message} (value ${redacted})` : `${issue.message}, got ${quote(raw)}`;
}

/** The variables of the schema, with empty strings treated as unset (`FOO=` in a .env file). */
function readVariables(schema: ConfigSchema, env: NodeJS.ProcessEnv): Record<string, string | undefined> {
  const values: Record<string, string | undefined> = {};
  for (const name of Object.keys(schema.shape)) {
    const value = env[name];
    values[name] = value === undefined || value.trim() === '' ? undefined : value;
  }
  return values;
}

function secretNames(schema: ConfigSchema): Set<string> {
  return new Set(
    Object.entries(schema.shape)
      .filter(([, variable]) => describeVariable(variable)?.secret)
      .map(([name]) => name),
  );
}

/**
 * Reads and validates the configuration from `env`. Returns a frozen object typed by the
 * schema, whose secrets are redacted when it is logged (`JSON.stringify`, `util.inspect`).
 * Throws a {@link ConfigError} naming every missing or bad variable at once.
 */
export function loadConfig<Schema extends ConfigSchema>(
  schema: Schema,
  env: NodeJS.ProcessEnv = process.env,
): Config<Schema> {
  const raw = readVariables(schema, env);
  const secrets = secretNames(schema);
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const problems: ConfigProblem[] = [];
    const seen = new Set<string>();
    for (const issue of parsed.error.issues) {
      const variable = String(issue.path[0] ?? '');
      if (seen.has(variable)) continue;
      seen.add(variable);
      const variableSchema = schema.shape[variable] as z.ZodType;
      const message = describeIssue(issue, raw[variable], secrets.has(variable), variableSchema);
      problems.push({ variable, message });
    }
    throw new ConfigError(problems);
  }
  return freezeRedacted(parsed.data as Record<string, unknown>, secrets) as Config<Schema>;
}

function freezeRedacted(values: Record<string, unknown>, secrets: ReadonlySet<string>): object {
  const safe = () =>
    Object.fromEntries(
      Object.entries(values).map(([name, value]) => [name, secrets.has(name) ? redacted : value]),
    );
  Object.defineProperty(values, 'toJSON', { value: safe, enumerable: false });
  Object.defineProperty(values, inspect.custom, {
    value: (_depth: number, options: object) => inspect(safe(), options),
    enumerable: false,
  });
  for (const value of Object.values(values)) if (Array.isArray(value)) Object.freeze(value);
  return Object.freeze(values);
}
