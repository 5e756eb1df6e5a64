import * as z from 'zod';

/** What the configuration loader knows about a variable kind, to explain a bad value. */
export interface VariableKind {
  /** The expected form, completing "expected …": `a TCP port (1-65535)`. */
  readonly expected: string;
  /** A secret's value is never printed, not even in error messages. */
  readonly secret?: boolean;
}

/** A rejected value: what is wrong, phrased without the value so secrets can use it too. */
export interface Invalid {
  readonly invalid: true;
  /** Completes "got …" without quoting the value: `a value that is not a URL`. */
  readonly problem: string;
  /** Extra reason shown after a non-secret value: `no such file`. */
  readonly detail?: string;
}

/** Parameters of the zod issue a variable kind raises; read back by the loader. */
export interface VariableIssueParams {
  readonly expected: string;
  readonly problem: string;
  readonly detail?: string;
}

/** Registry of the platform's variable kinds; `describeVariable` reads it. */
export const variableKinds = z.registry<VariableKind>();

export function invalid(problem: string, detail?: string): Invalid {
  return detail === undefined ? { invalid: true, problem } : { invalid: true, problem, detail };
}

function isInvalid(value: unknown): value is Invalid {
  return typeof value === 'object' && value !== null && (value as Partial<Invalid>).invalid === true;
}

/**
 * Builds a variable kind: a zod schema from the raw environment string to a typed value.
 * `parse` returns the value, or `invalid(problem)` to reject it.
 */
export function variable<T>(expected: string, parse: (raw: string) => T | Invalid): z.ZodType<T, string> {
  const schema = z.string().transform((raw, context) => {
    const parsed = parse(raw.trim());
    if (!isInvalid(parsed)) return parsed;
    const params: VariableIssueParams = { expected, problem: parsed.problem, detail: parsed.detail };
    context.addIssue({ code: 'custom', message: `expected ${expected}`, params: { ...params } });
    return z.NEVER;
  });
  variableKinds.add(schema, { expected });
  return schema;
}

/**
 * The kind registered for a variable's schema, looking through `.optional()`, `.default()`,
 * `.nullable()` and pipes; `undefined` for a plain zod schema.
 */
export function describeVariable(schema: z.ZodType): VariableKind | undefined {
  let current: unknown = schema;
  for (let depth = 0; depth < 16 && current instanceof z.ZodType; depth++) {
    const kind = variableKinds.get(current);
    if (kind) return kind;
    const def = current.def as { innerType?: unknown; in?: unknown; type: string };
    current = def.innerType ?? (def.type === 'pipe' ? def.in : undefined);
  }
  return undefined;
}
