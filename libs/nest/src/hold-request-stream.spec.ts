import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { holdRequestStream } from './hold-request-stream.js';

function fakeCall() {
  const calls: string[] = [];
  return { calls, pause: () => calls.push('pause'), resume: () => calls.push('resume') };
}

describe('holdRequestStream', () => {
  it('replays messages that arrived before the subscriber, then passes later ones through', () => {
    const requests = new Subject<number>();
    const held = holdRequestStream(requests, fakeCall());
    requests.next(1);
    requests.next(2);
    const seen: number[] = [];
    let completed = false;
    held.subscribe({ next: (value) => seen.push(value), complete: () => (completed = true) });
    requests.next(3);
    requests.complete();
    expect(seen).toEqual([1, 2, 3]);
    expect(completed).toBe(true);
  });

  it('pauses the call at the high-water mark while nobody reads, and resumes on subscription', () => {
    const requests = new Subject<number>();
    const call = fakeCall();
    const held = holdRequestStream(requests, call, 2);
    requests.next(1);
    expect(call.calls).toEqual([]);
    requests.next(2);
    expect(call.calls).toEqual(['pause']);
    held.subscribe();
    expect(call.calls).toEqual(['pause', 'resume']);
  });

  it('keeps an error that came before the subscriber', () => {
    const requests = new Subject<number>();
    const held = holdRequestStream(requests, fakeCall());
    requests.next(1);
    requests.error(new Error('client went away'));
    const seen: unknown[] = [];
    held.subscribe({ next: (value) => seen.push(value), error: (error: Error) => seen.push(error.message) });
    expect(seen).toEqual([1, 'client went away']);
  });

  it('refuses a second subscriber, and unsubscribes from the requests when the first leaves', () => {
    const requests = new Subject<number>();
    const held = holdRequestStream(requests, fakeCall());
    const first = held.subscribe();
    let refused: unknown;
    held.subscribe({ error: (error: unknown) => (refused = error) });
    expect(refused).toBeInstanceOf(Error);
    first.unsubscribe();
    expect(requests.observed).toBe(false);
  });
});
