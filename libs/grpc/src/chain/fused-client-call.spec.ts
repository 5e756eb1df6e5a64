// The fused layer's own promises, on a fake call below (a port this package owns): order of hooks,
// a step that fails the call, and cancellation. The chain's behaviour against real servers is
// client-chain.spec.ts's and the client conformance suite's.
import {
  Metadata,
  type InterceptingListener,
  type InterceptorOptions,
  type NextCall,
  type StatusObject,
} from '@grpc/grpc-js';
import { describe, expect, it, vi } from 'vitest';
import type { ClientStep, ClientStepCall } from './client-step.js';
import { fusedClientInterceptor } from './fused-client-interceptor.js';

type CallBelow = ReturnType<NextCall>;

const options = {
  method_definition: { path: '/test.v1.Echo/Say', requestStream: false, responseStream: false },
} as unknown as InterceptorOptions;

function fakeBelow() {
  const events: string[] = [];
  let listener: Partial<InterceptingListener> | undefined;
  const below: CallBelow = {
    start: (metadata, started) => {
      events.push(`start:${String(metadata.get('seen'))}`);
      listener = started;
    },
    sendMessageWithContext: (_context, message) => events.push(`message:${String(message)}`),
    sendMessage: (message) => events.push(`message:${String(message)}`),
    halfClose: () => events.push('halfClose'),
    startRead: () => undefined,
    cancelWithStatus: (code, details) => events.push(`cancel:${code}:${details}`),
    getPeer: () => 'ipv4:127.0.0.1:1',
    getAuthContext: () => null,
  };
  const answer = (status: StatusObject) => {
    listener?.onReceiveMetadata?.(new Metadata());
    listener?.onReceiveMessage?.('reply');
    listener?.onReceiveStatus?.(status);
  };
  return { below, events, answer, nextCall: vi.fn<NextCall>(() => below) };
}

/** A step that records its hooks as `name:event` in `log` and passes everything on, marked. */
function recordingStep(name: string, log: string[]): ClientStep {
  return {
    name,
    open: () => {
      log.push(`${name}:open`);
      return {
        start: (metadata, next) => {
          log.push(`${name}:start`);
          metadata.add('seen', name);
          next(metadata);
        },
        sendMessage: (message, next) => {
          log.push(`${name}:sendMessage`);
          next(`${String(message)}>${name}`);
        },
        halfClose: (next) => {
          log.push(`${name}:halfClose`);
          next();
        },
        cancel: (next) => {
          log.push(`${name}:cancel`);
          next();
        },
        onReceiveMetadata: (metadata, next) => {
          log.push(`${name}:metadata`);
          next(metadata);
        },
        onReceiveMessage: (message, next) => {
          log.push(`${name}:message`);
          next(message);
        },
        onReceiveStatus: (status, next) => {
          log.push(`${name}:status`);
          next({ ...status, details: `${status.details}<${name}` });
        },
      };
    },
  };
}

/** A step that keeps the call it was given, to act on it from the test. */
function handleStep(): ClientStep & { call?: ClientStepCall } {
  const step: ClientStep & { call?: ClientStepCall } = {
    name: 'handle',
    open: (call) => {
      step.call = call;
      return undefined;
    },
  };
  return step;
}

function caller() {
  const received: string[] = [];
  let ended: (status: StatusObject) => void = () => undefined;
  const status = new Promise<StatusObject>((resolve) => (ended = resolve));
  const listener: InterceptingListener = {
    onReceiveMetadata: () => received.push('metadata'),
    onReceiveMessage: (message) => received.push(`message:${String(message)}`),
    onReceiveStatus: (final) => {
      received.push('status');
      ended(final);
    },
  };
  return { listener, received, status };
}

/** A started call of steps a, a handle on the call, and c. */
function startedAroundHandle() {
  const log: string[] = [];
  const { events, nextCall } = fakeBelow();
  const handle = handleStep();
  const call = fusedClientInterceptor([recordingStep('a', log), handle, recordingStep('c', log)])(
    options,
    nextCall,
  );
  const app = caller();
  call.start(new Metadata(), app.listener);
  return { log, events, handle, call, app };
}

describe('FusedClientCall', () => {
  it('runs send hooks application side first and receive hooks wire side first, in one layer', async () => {
    const log: string[] = [];
    const { events, answer, nextCall } = fakeBelow();
    const steps = [recordingStep('a', log), { name: 'idle', open: () => undefined }, recordingStep('c', log)];
    const call = fusedClientInterceptor(steps)(options, nextCall);
    const app = caller();
    call.start(new Metadata(), app.listener);
    call.sendMessage('hello');
    call.halfClose();
    answer({ code: 0, details: 'ok', metadata: new Metadata() });

    expect(nextCall).toHaveBeenCalledExactlyOnceWith(options);
    expect(log).toEqual([
      'a:open',
      'c:open',
      'a:start',
      'c:start',
      'a:sendMessage',
      'c:sendMessage',
      'a:halfClose',
      'c:halfClose',
      'c:metadata',
      'a:metadata',
      'c:message',
      'a:message',
      'c:status',
      'a:status',
    ]);
    expect(events).toEqual(['start:a,c', 'message:hello>a>c', 'halfClose']);
    expect((await app.status).details).toBe('ok<c<a');
    expect(app.received).toEqual(['metadata', 'message:reply', 'status']);
  });

  it('hands the options a step set to the steps after it and to the call below', () => {
    const { nextCall } = fakeBelow();
    const seen: unknown[] = [];
    const deadline = Date.now() + 1_000;
    fusedClientInterceptor([
      { name: 'deadline', open: (call) => void (call.options = { ...call.options, deadline }) },
      { name: 'reader', open: (call) => void seen.push(call.options.deadline) },
    ])(options, nextCall);

    expect(seen).toEqual([deadline]);
    expect(nextCall.mock.calls[0]?.[0].deadline).toBe(deadline);
  });

  it('ends a call a step fails while it is made through the steps before it only, sending nothing', async () => {
    const log: string[] = [];
    const { nextCall } = fakeBelow();
    const failing: ClientStep = {
      name: 'b',
      open: (call) => {
        log.push('b:open');
        call.fail({ code: 4, details: 'no time left' });
        return undefined;
      },
    };
    const call = fusedClientInterceptor([recordingStep('a', log), failing, recordingStep('c', log)])(
      options,
      nextCall,
    );
    const app = caller();
    call.start(new Metadata(), app.listener);
    const status = await app.status;

    expect(nextCall).not.toHaveBeenCalled();
    expect(log).toEqual(['a:open', 'b:open', 'a:start', 'a:status']);
    expect({ code: status.code, details: status.details }).toEqual({ code: 4, details: 'no time left<a' });
  });

  it('ends a started call a step fails: the call below is cancelled through the steps after it', async () => {
    const { log, events, handle, app } = startedAroundHandle();
    handle.call?.fail({ code: 16, details: 'no token' });
    const status = await app.status;

    expect(log.slice(log.indexOf('c:start') + 1)).toEqual(['c:cancel', 'a:status']);
    expect(events).toEqual(['start:a,c', 'cancel:16:no token']);
    expect(status.details).toBe('no token<a');
    expect(handle.call?.getPeer()).toBe('ipv4:127.0.0.1:1');
  });

  it("cancels through every step's cancel hook, application side first; a step's own cancel skips those before it", () => {
    const { log, events, handle, call } = startedAroundHandle();
    log.length = 0;
    call.cancelWithStatus(1, 'Cancelled on client');
    handle.call?.cancelBelow(1, 'The incoming call ended');

    expect(log).toEqual(['a:cancel', 'c:cancel', 'c:cancel']);
    expect(events.slice(1)).toEqual(['cancel:1:Cancelled on client', 'cancel:1:The incoming call ended']);
  });

  it('goes no further than a cancel hook that does not hand on', () => {
    const { events, nextCall } = fakeBelow();
    const holding: ClientStep = { name: 'holding', open: () => ({ cancel: () => undefined }) };
    const call = fusedClientInterceptor([holding])(options, nextCall);
    call.start(new Metadata(), caller().listener);
    call.cancelWithStatus(1, 'Cancelled on client');

    expect(events).toEqual(['start:']);
  });
});
