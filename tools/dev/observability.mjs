// What `npm run dev` runs to see inside the stack: the trace UI (zipkin.mjs) the apps export to
// and Prometheus (prometheus.mjs) scraping them. Either is optional: a missing prerequisite is
// said plainly and the stack starts without it; `--no-observability` starts neither.
import { join } from 'node:path';
import { findPrometheus, startPrometheus } from './prometheus.mjs';
import { fetchZipkin, startZipkin } from './zipkin.mjs';

export const zipkinPort = Number(process.env.ZIPKIN_PORT ?? 9411);
export const prometheusPort = Number(process.env.PROMETHEUS_PORT ?? 9090);

/**
 * Checks (and the first time fetches) what the observability servers need. Resolves with
 * `{ zipkinJar?, prometheusBinary? }`; what is missing has been said through `say`.
 */
export async function prepareObservability(say) {
  const prepared = {};
  try {
    prepared.zipkinJar = await fetchZipkin(say);
  } catch (error) {
    say(`no trace UI: ${error.message}; the stack starts without it`);
  }
  const prometheus = findPrometheus();
  if (prometheus.binary) prepared.prometheusBinary = prometheus.binary;
  else say(`no Prometheus: ${prometheus.reason}; the stack starts without it`);
  return prepared;
}

/** Starts Zipkin when its jar is there; resolves with `{ child, url }` or undefined (the reason said). */
export async function startTraceUi(prepared, logDir, say) {
  if (!prepared.zipkinJar) return undefined;
  try {
    say('starting Zipkin (the trace UI) …');
    const started = Date.now();
    const traceUi = await startZipkin({
      jar: prepared.zipkinJar,
      port: zipkinPort,
      logFile: join(logDir, 'zipkin.log'),
    });
    say(`Zipkin ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return traceUi;
  } catch (error) {
    say(`no trace UI: ${error.message}; the stack starts without it`);
    return undefined;
  }
}

/**
 * The environment that makes an app export its spans to the trace UI (the standard
 * OpenTelemetry variables read by libs/observability), batched every second.
 */
export function tracingEnvironment(traceUi) {
  if (!traceUi) return {};
  return {
    OTEL_TRACES_EXPORTER: 'zipkin',
    OTEL_EXPORTER_ZIPKIN_ENDPOINT: `${traceUi.url}/api/v2/spans`,
    OTEL_BSP_SCHEDULE_DELAY: '1000',
  };
}

/**
 * Starts Prometheus scraping `apps` (`{ name, metricsPort }`), the trace UI and itself; resolves
 * with `{ child, url }` or undefined (the reason said).
 */
export async function startMetricsUi(prepared, { dataDir, logDir, apps, traceUi }, say) {
  if (!prepared.prometheusBinary) return undefined;
  const targets = [
    ...apps.map((app) => ({ job: app.name, address: `127.0.0.1:${app.metricsPort}` })),
    ...(traceUi ? [{ job: 'zipkin', address: new URL(traceUi.url).host, path: '/prometheus' }] : []),
    { job: 'prometheus', address: `127.0.0.1:${prometheusPort}` },
  ];
  try {
    return await startPrometheus({
      binary: prepared.prometheusBinary,
      port: prometheusPort,
      dir: join(dataDir, 'prometheus'),
      targets,
      logFile: join(logDir, 'prometheus.log'),
    });
  } catch (error) {
    say(`no Prometheus: ${error.message}; the stack runs without it`);
    return undefined;
  }
}

/** Stops a server started here (its process group): SIGTERM, SIGKILL after 10 s. */
export async function stopServer(server) {
  const { child } = server;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolveExit) => child.once('exit', resolveExit));
  const signal = (name) => {
    try {
      process.kill(-child.pid, name);
    } catch {
      // already gone
    }
  };
  signal('SIGTERM');
  const timer = setTimeout(() => signal('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
