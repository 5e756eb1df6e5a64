import 'reflect-metadata';
import { describe, expect, it } from 'vitest';

// The workspace's one test runner must compile NestJS-style code faithfully: legacy
// decorators plus the design-time metadata Nest's dependency injection reads.

class Clock {}

function Injectable(): ClassDecorator {
  return () => undefined;
}

@Injectable()
class OrderService {
  constructor(
    readonly clock: Clock,
    readonly limit: number,
  ) {}
}

describe('the test runner', () => {
  it('emits constructor parameter types for decorated classes (emitDecoratorMetadata)', () => {
    expect(Reflect.getMetadata('design:paramtypes', OrderService)).toEqual([Clock, Number]);
  });
});
