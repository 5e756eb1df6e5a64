// Imported first by the stock-OTel server: the SDK and @opentelemetry/instrumentation-grpc,
// registered as its README says. Its hook sees `require` only, not an ESM import, so grpc-js is
// required here once (the ESM imports of it then get the same, patched, module).
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { GrpcInstrumentation } from '@opentelemetry/instrumentation-grpc';
import { createRequire } from 'node:module';
import { setupStockTracing } from './stock-tracing.js';

export const shutdownTracing = setupStockTracing();
registerInstrumentations({ instrumentations: [new GrpcInstrumentation()] });
createRequire(import.meta.url)('@grpc/grpc-js');
