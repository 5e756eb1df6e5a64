import { describe, expect, it } from 'vitest';
import { describeMethod } from './method-info.js';

describe('describeMethod', () => {
  it('names the service, the method and the kind of a path', () => {
    expect(describeMethod('/platform.order.v1.OrderService/WatchOrder', false, true)).toEqual({
      path: '/platform.order.v1.OrderService/WatchOrder',
      service: 'platform.order.v1.OrderService',
      method: 'WatchOrder',
      type: 'server_stream',
      requestStream: false,
      responseStream: true,
    });
    expect(describeMethod('not-a-path', true, true)).toMatchObject({
      service: 'unknown',
      method: 'not-a-path',
      type: 'bidi_stream',
    });
  });

  it('hands out one frozen description per method, and a new one when the streaming flags differ', () => {
    const first = describeMethod('/test.v1.Echo/Say', false, false);
    expect(describeMethod('/test.v1.Echo/Say', false, false)).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    const streamed = describeMethod('/test.v1.Echo/Say', true, false);
    expect(streamed).not.toBe(first);
    expect(streamed.type).toBe('client_stream');
  });

  it('keeps describing paths beyond the ones it keeps', () => {
    for (let index = 0; index < 1100; index++) describeMethod(`/test.v1.Many/M${index}`, false, false);
    expect(describeMethod('/test.v1.Many/M1099', false, false)).toMatchObject({
      method: 'M1099',
      type: 'unary',
    });
  });
});
