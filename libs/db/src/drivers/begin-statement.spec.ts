import { describe, expect, it } from 'vitest';
import { beginStatement } from './begin-statement.js';

describe('beginStatement', () => {
  it('sends the statement timeout with BEGIN, in one simple-protocol query', () => {
    expect(beginStatement({ isolationLevel: 'read committed', accessMode: 'read only' }, 2_500)).toBe(
      'begin isolation level read committed read only; set local statement_timeout = 2500',
    );
  });

  it('rounds a fractional budget up, and never below 1 ms (0 would mean no timeout at all)', () => {
    expect(beginStatement({ isolationLevel: 'serializable' }, 0.2)).toBe(
      'begin isolation level serializable; set local statement_timeout = 1',
    );
    expect(beginStatement({ accessMode: 'read write' }, 1_234.5)).toBe(
      'begin read write; set local statement_timeout = 1235',
    );
  });

  it("keeps the connection's own timeout when the attempt has none", () => {
    expect(beginStatement({}, undefined)).toBe('begin');
    expect(beginStatement({ isolationLevel: 'repeatable read' }, undefined)).toBe(
      'begin isolation level repeatable read',
    );
  });
});
