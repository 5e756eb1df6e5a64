// The command lines of `npm run load` and `npm run logs`, and the load's journey picking and
// end table: what a person types and reads, without a stack (observability.spec.mjs runs both
// commands' real work on one).
import { describe, expect, it } from 'vitest';
import { createStats, journeySteps, pickStep, quantile, statsRows } from './journey.mjs';
import { parseLoadArgs } from './load.mjs';
import { parseLogsArgs } from './logs.mjs';

describe('npm run load arguments', () => {
  it('reads rate, duration (ms, s, m) and users, with defaults', () => {
    expect(parseLoadArgs([])).toEqual({ rate: 50, seconds: 60, users: 20 });
    expect(parseLoadArgs(['--rate', '100', '--duration', '30s', '--users', '5'])).toEqual({
      rate: 100,
      seconds: 30,
      users: 5,
    });
    expect(parseLoadArgs(['--duration=2m']).seconds).toBe(120);
    expect(parseLoadArgs(['--duration', '500ms']).seconds).toBe(0.5);
  });

  it.each([
    [['--rate', 'fast'], /--rate needs a positive number, not fast/],
    [['--rate', '0'], /--rate needs a positive number/],
    [['--rate'], /--rate needs a positive number, not nothing/],
    [['--duration', '3h'], /--duration needs a time such as 30s/],
    [['--users', '2.5'], /--users needs a whole number/],
    [['--concurrency', '8'], /unknown argument --concurrency/],
  ])('refuses %j plainly', (args, message) => {
    expect(() => parseLoadArgs(args)).toThrow(message);
  });
});

describe('npm run logs arguments', () => {
  const apps = ['user-service', 'order-service'];
  it('takes apps, --trace and --follow; every app by default', () => {
    expect(parseLogsArgs([], apps)).toEqual({ apps, trace: undefined, follow: false });
    const trace = 'ab'.repeat(16);
    expect(parseLogsArgs(['order-service', '--trace', trace, '-f'], apps)).toEqual({
      apps: ['order-service'],
      trace,
      follow: true,
    });
  });

  it('takes a bare trace id, as npm passes it from `npm run logs --trace <id>`', () => {
    expect(parseLogsArgs(['cd'.repeat(16)], apps).trace).toBe('cd'.repeat(16));
  });

  it('refuses an unknown app and a malformed trace id, naming what it takes', () => {
    expect(() => parseLogsArgs(['billing'], apps)).toThrow(
      /unknown app or option billing; the apps: user-service, order-service/,
    );
    expect(() => parseLogsArgs(['--trace', 'xyz'], apps)).toThrow(/32 hex digits/);
  });
});

describe('the journey', () => {
  it('picks steps in proportion to their weights', () => {
    const total = Object.values(journeySteps).reduce((sum, weight) => sum + weight, 0);
    const counts = {};
    const draws = 10_000;
    for (let index = 0; index < draws; index += 1) {
      const step = pickStep((index + 0.5) / draws);
      counts[step] = (counts[step] ?? 0) + 1;
    }
    for (const [step, weight] of Object.entries(journeySteps)) {
      expect(counts[step]).toBe(Math.round((weight / total) * draws));
    }
  });

  it('tabulates calls, rate, codes and nearest-rank p50/p99 per RPC', () => {
    const stats = createStats();
    for (let ms = 1; ms <= 100; ms += 1) stats.record('GetOrder', ms === 100 ? 'NOT_FOUND' : 'OK', ms);
    stats.record('CreateOrder', 'OK', 7);
    expect(quantile([3, 1, 2], 0.5)).toBe(2);
    expect(statsRows(stats, 10)).toEqual([
      ['rpc', 'calls', 'rate/s', 'codes', 'p50 ms', 'p99 ms'],
      ['CreateOrder', 1, '0.1', 'OK 1', '7.0', '7.0'],
      ['GetOrder', 100, '10.0', 'OK 99, NOT_FOUND 1', '50.0', '99.0'],
    ]);
  });
});
