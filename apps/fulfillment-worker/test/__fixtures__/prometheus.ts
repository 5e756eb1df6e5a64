/** The value of the sample of `metric` whose labels include all of `labels` (summed when several match). */
export function sampleValue(
  text: string,
  metric: string,
  labels: Record<string, string>,
): number | undefined {
  let total: number | undefined;
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== metric) continue;
    const present = new Map(
      [...(match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((pair) => [
        pair[1],
        pair[2],
      ]),
    );
    if (Object.entries(labels).every(([name, value]) => present.get(name) === value)) {
      total = (total ?? 0) + Number(match[3]);
    }
  }
  return total;
}
