/**
 * What a process opened and must close, in reverse order of opening (the database after the
 * server that uses it). `run` gives a start-up that fails half-way its clean-up: everything
 * added until the failure is closed, then the error is rethrown.
 */
export class Closers {
  private readonly steps: (() => unknown)[] = [];

  /** Registers a close step. */
  add(close: () => unknown): void {
    this.steps.push(close);
  }

  /** Runs every step once, last added first; later calls find nothing left. A failing step does not stop the others. */
  async closeAll(): Promise<void> {
    const failures: unknown[] = [];
    for (const step of this.steps.splice(0).reverse()) {
      try {
        await step();
      } catch (error) {
        failures.push(error);
      }
    }
    if (failures.length === 1) throw failures[0];
    if (failures.length > 1) throw new AggregateError(failures, 'several close steps failed');
  }

  /** Runs `start`; when it throws, closes what was added so far and rethrows its error. */
  async run<T>(start: () => Promise<T>): Promise<T> {
    try {
      return await start();
    } catch (error) {
      await this.closeAll().catch(() => undefined);
      throw error;
    }
  }
}
