#!/usr/bin/env node
// `npm run demo`: the demo scenario against running services (`npm run dev`, or the compose
// stack), printed for a person. USER_SERVICE_ADDRESS / ORDER_SERVICE_ADDRESS say where they are;
// OTEL_TRACES_EXPORTER / OTEL_EXPORTER_OTLP_ENDPOINT, when set, export the demo's own spans;
// the services' spans of its trace are in the trace UI either way (npm run dev: Zipkin on
// TRACE_UI_URL, default http://127.0.0.1:9411; compose: Jaeger).
import { setupTracing } from '@platform/observability';
import { runDemoScenario } from './demo-scenario.js';

const tracing = setupTracing({ serviceName: 'platform-demo' });
const targets = {
  userService: process.env['USER_SERVICE_ADDRESS'] ?? '127.0.0.1:50051',
  orderService: process.env['ORDER_SERVICE_ADDRESS'] ?? '127.0.0.1:50052',
};
console.log(`demo against user-service ${targets.userService}, order-service ${targets.orderService}\n`);
try {
  const report = await runDemoScenario(targets, (line) => console.log(`- ${line}`));
  // Every app writes the trace id on its lines of this order (JSON, field trace_id).
  console.log(
    [
      '',
      `Its trace, ${report.traceId}, in the apps' logs:`,
      `  npm run dev:  npm run logs -- --trace ${report.traceId}`,
      `  compose:      docker compose logs | grep ${report.traceId}`,
      'Its trace in the trace UI:',
      `  npm run dev:  ${process.env['TRACE_UI_URL'] ?? 'http://127.0.0.1:9411'}/zipkin/traces/${report.traceId}`,
      `  compose:      http://localhost:16686/trace/${report.traceId}  (Jaeger)`,
    ].join('\n'),
  );
} catch (error) {
  const reason = (error as { code?: number }).code === 14 ? ' (is the platform running? `npm run dev`)' : '';
  console.error(`\ndemo failed${reason}: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await tracing.shutdown();
}
