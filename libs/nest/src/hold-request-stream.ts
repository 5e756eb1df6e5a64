import { Observable, type Subscriber } from 'rxjs';

/** The readable side of a grpc-js call (a Node stream) that can stop delivering messages. */
export interface PausableCall {
  pause(): unknown;
  resume(): unknown;
}

type Held<T> = { kind: 'next'; value: T } | { kind: 'error'; error: unknown } | { kind: 'complete' };

/**
 * Keeps the messages of a NestJS request stream (client streaming, bidi) for a subscriber that
 * comes later. Nest hands a handler an Observable that emits the messages received so far only
 * to subscribers present when the handler returns, and Nest itself subscribes to the handler's
 * result after that, so a result built lazily from the requests loses them. `@GrpcService`
 * applies this to every request stream before the handler runs: it subscribes at once, holds
 * what arrives (pausing the call after `highWaterMark` held messages, so HTTP/2 flow control
 * stops the client), and replays it to the one subscriber of the returned Observable, then
 * passes messages through live.
 */
export function holdRequestStream<T>(
  requests: Observable<T>,
  call: PausableCall,
  highWaterMark = 16,
): Observable<T> {
  const held: Held<T>[] = [];
  let consumer: Subscriber<T> | undefined;
  let paused = false;
  const forward = (item: Held<T>) => {
    if (!consumer) {
      held.push(item);
      if (item.kind === 'next' && !paused && held.length >= highWaterMark) {
        paused = true;
        call.pause();
      }
      return;
    }
    if (item.kind === 'next') consumer.next(item.value);
    else if (item.kind === 'error') consumer.error(item.error);
    else consumer.complete();
  };
  const source = requests.subscribe({
    next: (value) => forward({ kind: 'next', value }),
    error: (error: unknown) => forward({ kind: 'error', error }),
    complete: () => forward({ kind: 'complete' }),
  });
  return new Observable<T>((subscriber) => {
    if (consumer) {
      subscriber.error(new Error('holdRequestStream: the request stream has one subscriber only'));
      return undefined;
    }
    consumer = subscriber;
    for (const item of held.splice(0)) {
      if (subscriber.closed) break;
      if (item.kind === 'next') subscriber.next(item.value);
      else if (item.kind === 'error') subscriber.error(item.error);
      else subscriber.complete();
    }
    if (paused) {
      paused = false;
      call.resume();
    }
    return () => source.unsubscribe();
  });
}
