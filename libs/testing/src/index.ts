// Public API of @platform/testing: harnesses shared by the workspace's tests.
export {
  startGrpcServer,
  type RunningGrpcServer,
  type ServedService,
  type StartGrpcServerOptions,
} from './start-grpc-server.js';
export { freePort } from './free-port.js';
export { checkHealth, type HealthCheckResponse } from './check-health.js';
export { openResettableCall, type ResettableCall } from './open-resettable-call.js';
export {
  startFaultServer,
  type AttemptRecord,
  type Fault,
  type FaultServer,
  type MethodScript,
  type StartFaultServerOptions,
} from './fault-server/index.js';
export {
  startTcpProxy,
  type StartTcpProxyOptions,
  type TcpProxy,
  type TcpTarget,
} from './tcp-proxy/index.js';
export * from './test-issuer/index.js';
export { testKafkaBrokers } from './kafka/test-kafka-brokers.js';
export { readTopic, type TopicRecord } from './kafka/read-topic.js';
export { waitFor, type WaitForOptions } from './wait-for.js';
export { metricSum } from './metric-sum.js';
export {
  spawnServiceProcess,
  startServiceProcess,
  type LogEntry,
  type ProcessExit,
  type ServiceProcess,
} from './service-process/service-process.js';
export { recordModuleLoads, type ModuleLoadRecorder } from './record-module-loads.js';
export { startOtlpCollector, type OtlpCollector } from './otlp/start-otlp-collector.js';
export type { CollectedSpan } from './otlp/decode-otlp-spans.js';
