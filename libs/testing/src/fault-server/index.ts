export { startFaultServer, type FaultServer, type StartFaultServerOptions } from './start-fault-server.js';
export type { AttemptRecord, Fault, MethodScript } from './fault-script.js';
