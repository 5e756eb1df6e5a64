/** A promise with its resolve function, for holding a transaction open at a chosen point. */
export function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((settle) => {
    resolve = settle;
  });
  return { promise, resolve };
}

/** Resolves once `parties` callers arrived. */
export function barrier(parties: number) {
  const all = deferred();
  let arrived = 0;
  return () => {
    arrived += 1;
    if (arrived >= parties) all.resolve();
    return all.promise;
  };
}
