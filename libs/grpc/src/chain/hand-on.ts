/**
 * A hook of a fused layer's step: it hands `value` (or a changed one) on, now or later. Events
 * without a value (half-close, cancel) are hooks of `void`.
 */
export type PassingHook<T> = (value: T, next: (value: T) => void) => void;

/**
 * Runs `value` through the hook `hookOf` picks of `steps[from]`, then of the steps after it in
 * `direction` (+1 or -1), skipping steps without one, each hook handing on to the next as
 * grpc-js's layers do; what the last hands on goes to `onward`. A hook is called as a method of
 * its step. When `stopped()` is true, a hook's hand-on goes no further (a cancelled call).
 */
export function handOn<S extends object, T>(
  steps: readonly (S | undefined)[],
  hookOf: (step: S) => PassingHook<T> | undefined,
  from: number,
  direction: 1 | -1,
  value: T,
  onward: (value: T) => void,
  stopped?: () => boolean,
): void {
  for (let index = from; index >= 0 && index < steps.length; index += direction) {
    const step = steps[index];
    const hook = step && hookOf(step);
    if (!hook) continue;
    hook.call(step, value, (passed) => {
      if (!stopped?.()) handOn(steps, hookOf, index + direction, direction, passed, onward, stopped);
    });
    return;
  }
  onward(value);
}
