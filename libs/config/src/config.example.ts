// The configuration of a service, loaded once at start: run with `ORDER_GRPC_PORT=99999` to see
// the process stop with exit code 78 and a message naming the variable.
import { defineConfig, duration, loadConfigOrExit, oneOf, port, secret, url } from '@platform/config';

const orderServiceConfig = defineConfig({
  ORDER_GRPC_PORT: port().default(50_051),
  DATABASE_URL: secret(url({ protocols: ['postgres:', 'postgresql:'] })).optional(),
  DATABASE_STATEMENT_TIMEOUT: duration().default(5_000),
  LOG_LEVEL: oneOf(['debug', 'info', 'warn', 'error']).default('info'),
});

const config = loadConfigOrExit(orderServiceConfig);
// Secrets print as <redacted>.
console.log(JSON.stringify(config));
console.log(
  `listening on ${config.ORDER_GRPC_PORT}, statement timeout ${config.DATABASE_STATEMENT_TIMEOUT} ms`,
);
