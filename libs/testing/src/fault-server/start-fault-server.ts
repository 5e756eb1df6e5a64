import * as grpc from '@grpc/grpc-js';
import {
  encodeStatus,
  OrderServiceService,
  statusDetailsKey,
  UserServiceService,
  type ErrorDetails,
} from '@platform/proto';
import { startGrpcServer, type RunningGrpcServer } from '../start-grpc-server.js';
import type { AttemptRecord, Fault, MethodScript } from './fault-script.js';

/** Options of {@link startFaultServer}. */
export interface StartFaultServerOptions {
  /** Services to serve. Defaults to the platform's OrderService and UserService. */
  services?: readonly grpc.ServiceDefinition[];
}

/**
 * A real grpc-js server whose every method follows a script (fail the first attempts with
 * chosen codes, RetryInfo, pushback trailers, drop streams, delay, hang) and which records
 * each attempt: the evidence retry, deadline and circuit-breaker tests count.
 */
export interface FaultServer extends RunningGrpcServer {
  /** Sets the script of a method by full path; also restarts its attempt count. */
  script(path: string, script: MethodScript): void;
  /** The attempts the server received for a method, in arrival order. */
  attempts(path: string): readonly AttemptRecord[];
  /** Resolves with the method's n-th attempt (counting from 1) once it arrived. */
  whenAttempt(path: string, attempt: number): Promise<AttemptRecord>;
  /** Forgets every script and record. */
  reset(): void;
}

interface MutableAttempt extends AttemptRecord {
  cancelled: boolean;
}

type AnyServerCall =
  | grpc.ServerUnaryCall<unknown, unknown>
  | grpc.ServerReadableStream<unknown, unknown>
  | grpc.ServerWritableStream<unknown, unknown>
  | grpc.ServerDuplexStream<unknown, unknown>;

const retryPushbackKey = 'grpc-retry-pushback-ms';

function statusOf(fault: Fault): grpc.StatusObject {
  const message = fault.message ?? `Injected ${grpc.status[fault.code]}`;
  const details: ErrorDetails = { ...fault.details };
  if (fault.retryDelayMs !== undefined) {
    const whole = Math.max(0, Math.round(fault.retryDelayMs));
    details.retryInfo = {
      retryDelay: { seconds: String(Math.floor(whole / 1000)), nanos: (whole % 1000) * 1_000_000 },
    };
  }
  const metadata = new grpc.Metadata();
  if (Object.keys(details).length > 0) {
    metadata.set(statusDetailsKey, encodeStatus(fault.code, message, details));
  }
  if (fault.pushbackMs !== undefined) metadata.set(retryPushbackKey, String(fault.pushbackMs));
  return { code: fault.code, details: message, metadata };
}

function deadlineOf(call: AnyServerCall): number | undefined {
  const deadline = call.getDeadline();
  const epochMs = deadline instanceof Date ? deadline.getTime() : deadline;
  return Number.isFinite(epochMs) ? epochMs : undefined;
}

/** Starts a {@link FaultServer} on `127.0.0.1:0`. */
export async function startFaultServer(options: StartFaultServerOptions = {}): Promise<FaultServer> {
  const scripts = new Map<string, MethodScript>();
  const records = new Map<string, MutableAttempt[]>();
  const waiters = new Map<string, { attempt: number; resolve: (record: AttemptRecord) => void }[]>();

  const begin = (path: string, call: AnyServerCall, requests: unknown[]) => {
    const list = records.get(path) ?? [];
    records.set(path, list);
    let markCancelled!: () => void;
    const record: MutableAttempt = {
      path,
      attempt: list.length + 1,
      metadata: call.metadata.clone(),
      receivedAt: Date.now(),
      deadline: deadlineOf(call),
      requests,
      cancelled: false,
      whenCancelled: new Promise<void>((resolve) => (markCancelled = resolve)),
    };
    // Each call kind declares its own `on` overloads; 'cancelled' is common to all of them.
    (call as NodeJS.EventEmitter).on('cancelled', () => {
      record.cancelled = true;
      markCancelled();
    });
    list.push(record);
    const pending = waiters.get(path) ?? [];
    for (const waiter of pending) if (waiter.attempt === record.attempt) waiter.resolve(record);
    waiters.set(
      path,
      pending.filter((waiter) => waiter.attempt !== record.attempt),
    );
    const script = scripts.get(path) ?? {};
    const faults = script.faults ?? [];
    const fault = record.attempt <= faults.length ? faults[record.attempt - 1] : script.thenFault;
    return { record, script, fault };
  };

  // Resolves true after `ms`, or false as soon as the attempt is cancelled.
  const waitUnlessCancelled = (record: AttemptRecord, ms: number) =>
    new Promise<boolean>((resolve) => {
      if (record.cancelled) return resolve(false);
      if (ms <= 0) return resolve(true);
      const timer = setTimeout(() => resolve(true), ms);
      void record.whenCancelled.then(() => {
        clearTimeout(timer);
        resolve(false);
      });
    });

  const handlerFor = (path: string, method: grpc.MethodDefinition<unknown, unknown>) => {
    // Decoding zero bytes yields the response type's empty message with every default set.
    const emptyResponse = () => method.responseDeserialize(Buffer.alloc(0));
    const messagesOf = (script: MethodScript) => script.messages ?? [emptyResponse()];

    const stream = async (
      call: grpc.ServerWritableStream<unknown, unknown> | grpc.ServerDuplexStream<unknown, unknown>,
      record: AttemptRecord,
      script: MethodScript,
      fault: Fault | undefined,
    ) => {
      if (!(await waitUnlessCancelled(record, script.delayMs ?? 0))) return;
      const messages = messagesOf(script);
      if (fault) {
        for (let index = 0; index < (fault.afterMessages ?? 0); index += 1) {
          call.write(messages[index % messages.length] ?? emptyResponse());
        }
        call.emit('error', statusOf(fault));
        return;
      }
      for (const message of messages) call.write(message);
      if (script.hang) await record.whenCancelled;
      else call.end();
    };

    if (!method.requestStream && !method.responseStream) {
      return (call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
        const { record, script, fault } = begin(path, call, [call.request]);
        void waitUnlessCancelled(record, script.delayMs ?? 0).then((answer) => {
          if (!answer) return;
          if (fault) callback(statusOf(fault));
          else if (!script.hang) callback(null, script.response ?? emptyResponse());
        });
      };
    }
    if (!method.requestStream) {
      return (call: grpc.ServerWritableStream<unknown, unknown>) => {
        const { record, script, fault } = begin(path, call, [call.request]);
        void stream(call, record, script, fault);
      };
    }
    if (!method.responseStream) {
      return (call: grpc.ServerReadableStream<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
        const requests: unknown[] = [];
        const { record, script, fault } = begin(path, call, requests);
        call.on('data', (message) => requests.push(message));
        if (fault) {
          void waitUnlessCancelled(record, script.delayMs ?? 0).then((answer) => {
            if (answer) callback(statusOf(fault));
          });
          return;
        }
        call.on('end', () => {
          void waitUnlessCancelled(record, script.delayMs ?? 0).then((answer) => {
            if (answer && !script.hang) callback(null, script.response ?? emptyResponse());
          });
        });
      };
    }
    return (call: grpc.ServerDuplexStream<unknown, unknown>) => {
      const requests: unknown[] = [];
      const { record, script, fault } = begin(path, call, requests);
      call.on('data', (message) => requests.push(message));
      if (fault) void stream(call, record, script, fault);
      else call.on('end', () => void stream(call, record, script, undefined));
    };
  };

  const services = (options.services ?? [OrderServiceService, UserServiceService]).map((definition) => {
    const implementation: grpc.UntypedServiceImplementation = {};
    for (const [name, method] of Object.entries(definition)) {
      implementation[name] = handlerFor(method.path, method) as grpc.UntypedHandleCall;
    }
    return { definition, implementation };
  });
  const running = await startGrpcServer({ services });

  return {
    ...running,
    script(path, script) {
      scripts.set(path, script);
      records.delete(path);
    },
    attempts: (path) => records.get(path) ?? [],
    whenAttempt(path, attempt) {
      const arrived = records.get(path)?.[attempt - 1];
      if (arrived) return Promise.resolve(arrived);
      return new Promise((resolve) =>
        waiters.set(path, [...(waiters.get(path) ?? []), { attempt, resolve }]),
      );
    },
    reset() {
      scripts.clear();
      records.clear();
      waiters.clear();
    },
  };
}
