import { describe, expect, it } from 'vitest';
import { Closers } from './closers.js';

describe('Closers', () => {
  it('closes in reverse order of opening, once', async () => {
    const closed: string[] = [];
    const closers = new Closers();
    closers.add(() => closed.push('database'));
    closers.add(async () => closed.push('server'));
    await closers.closeAll();
    await closers.closeAll();
    expect(closed).toEqual(['server', 'database']);
  });

  it('runs every step even when one fails, then reports the failure', async () => {
    const closed: string[] = [];
    const closers = new Closers();
    closers.add(() => closed.push('database'));
    closers.add(() => {
      throw new Error('server would not close');
    });
    await expect(closers.closeAll()).rejects.toThrow('server would not close');
    expect(closed).toEqual(['database']);
  });

  it('reports several failures together, in the order the steps ran', async () => {
    const closed: string[] = [];
    const closers = new Closers();
    closers.add(() => closed.push('database'));
    closers.add(() => Promise.reject(new Error('consumer would not stop')));
    closers.add(() => {
      throw new Error('server would not close');
    });
    const failure = await closers.closeAll().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AggregateError);
    expect((failure as AggregateError).errors.map((error: Error) => error.message)).toEqual([
      'server would not close',
      'consumer would not stop',
    ]);
    expect(closed).toEqual(['database']);
  });

  describe('a start-up that fails half-way', () => {
    it('closes what it opened and rethrows the start-up error', async () => {
      const closed: string[] = [];
      const closers = new Closers();
      const failure = closers.run(async () => {
        closers.add(() => closed.push('database'));
        throw new Error('port taken');
      });
      await expect(failure).rejects.toThrow('port taken');
      expect(closed).toEqual(['database']);
    });
  });
});
