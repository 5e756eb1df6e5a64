// The fused layer's own promises, on a fake base call (a port this package owns): order of hooks,
// what a step's wire passes, and that a cancelled call goes no further. The chain's behaviour on
// real servers is server-chain.spec.ts's and the conformance suite's.
import { Metadata, type Responder, type ServerInterceptingCallInterface } from '@grpc/grpc-js';
import { describe, expect, it, vi } from 'vitest';
import { FusedServerCall } from './fused-server-call.js';

type Status = Parameters<ServerInterceptingCallInterface['sendStatus']>[0];

function fakeBase() {
  const sent: Status[] = [];
  const base = {
    sendStatus: (status: Status) => sent.push(status),
    getPeer: () => 'ipv4:127.0.0.1:1',
  } as unknown as ServerInterceptingCallInterface;
  return { base, sent };
}

/** A step that records its hooks as `name:event` in `log` and passes everything on. */
function recordingStep(name: string, log: string[]): Responder {
  return {
    start: (next) =>
      next({
        onReceiveMetadata: (metadata, onward) => {
          log.push(`${name}:metadata`);
          onward(metadata);
        },
        onReceiveMessage: (message, onward) => {
          log.push(`${name}:message`);
          onward(message);
        },
        onReceiveHalfClose: (onward) => {
          log.push(`${name}:halfClose`);
          onward();
        },
        onCancel: () => log.push(`${name}:cancel`),
      }),
    sendMessage: (message, onward) => {
      log.push(`${name}:sendMessage`);
      onward(message);
    },
    sendStatus: (status, onward) => {
      log.push(`${name}:sendStatus`);
      onward({ ...status, details: `${status.details ?? ''}<${name}` });
    },
  };
}

function started(fused: FusedServerCall) {
  let listener: Parameters<Parameters<NonNullable<Responder['start']>>[0]>[0];
  fused.responder().start?.((built) => (listener = built));
  if (!listener) throw new Error('no listener');
  return listener as Required<NonNullable<typeof listener>>;
}

describe('FusedServerCall', () => {
  it('runs listeners wire side first and send hooks handler side first, skipping steps without hooks', () => {
    const log: string[] = [];
    const { base } = fakeBase();
    const fused = new FusedServerCall(base, [recordingStep('a', log), undefined, recordingStep('c', log)]);
    const listener = started(fused);
    const handler = vi.fn();
    listener.onReceiveMetadata(new Metadata(), handler);
    listener.onReceiveMessage({ id: 1 }, handler);
    listener.onReceiveHalfClose(handler);
    let status: Status | undefined;
    fused.responder().sendMessage?.({}, () => log.push('wire:message'));
    fused.responder().sendStatus?.({ code: 0, details: 'ok' }, (passed) => (status = passed));

    expect(handler).toHaveBeenCalledTimes(3);
    expect(log).toEqual([
      'a:metadata',
      'c:metadata',
      'a:message',
      'c:message',
      'a:halfClose',
      'c:halfClose',
      'c:sendMessage',
      'a:sendMessage',
      'wire:message',
      'c:sendStatus',
      'a:sendStatus',
    ]);
    expect(status?.details).toBe('ok<c<a');
  });

  it("sends a step's rejection through the steps before it only, to the base call", () => {
    const log: string[] = [];
    const { base, sent } = fakeBase();
    const fused = new FusedServerCall(base, [
      recordingStep('a', log),
      recordingStep('b', log),
      recordingStep('c', log),
    ]);
    fused.wireOf(2).sendStatus({ code: 16, details: 'no' });

    expect(log).toEqual(['b:sendStatus', 'a:sendStatus']);
    expect(sent).toEqual([{ code: 16, details: 'no<b<a' }]);
    expect(fused.wireOf(1).getPeer()).toBe('ipv4:127.0.0.1:1');
  });

  it('hands nothing on after a cancellation, and tells every step of it', () => {
    const log: string[] = [];
    let release: (() => void) | undefined;
    const waiting: Responder = {
      start: (next) =>
        next({
          onReceiveMetadata: (metadata, onward) => {
            release = () => onward(metadata);
          },
        }),
    };
    const { base } = fakeBase();
    const fused = new FusedServerCall(base, [recordingStep('a', log), waiting, recordingStep('c', log)]);
    const listener = started(fused);
    const handler = vi.fn();
    listener.onReceiveMetadata(new Metadata(), handler);
    listener.onCancel();
    release?.();

    expect(log).toEqual(['a:metadata', 'a:cancel', 'c:cancel']);
    expect(handler).not.toHaveBeenCalled();
  });
});
