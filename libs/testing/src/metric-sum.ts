/**
 * The sum of the samples of `metric` whose labels include every one of `labels` (exact values),
 * from a Prometheus text exposition (`GET /metrics`); 0 when none matches.
 */
export function metricSum(
  text: string,
  metric: string,
  labels: Readonly<Record<string, string>> = {},
): number {
  let total = 0;
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== metric) continue;
    const present = new Map(
      [...(match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((pair) => [
        pair[1],
        pair[2],
      ]),
    );
    if (Object.entries(labels).every(([name, value]) => present.get(name) === value))
      total += Number(match[3]);
  }
  return total;
}
