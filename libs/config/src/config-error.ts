/** One bad variable: its name and what is wrong, never a secret's value. */
export interface ConfigProblem {
  readonly variable: string;
  /** `expected a TCP port (1-65535), got "99999"` */
  readonly message: string;
}

/**
 * Thrown by `loadConfig` when variables are missing or bad. Lists every problem at once, so
 * one start reveals all of them; the message is safe to print (secrets are never quoted).
 */
export class ConfigError extends Error {
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    const lines = problems.map((problem) => `  ${problem.variable}: ${problem.message}`);
    super(`Invalid configuration (${count}):\n${lines.join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}
