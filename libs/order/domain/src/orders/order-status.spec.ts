import { describe, expect, it } from 'vitest';
import { isFinalStatus, transitionOf } from './order-status.js';

describe('the order lifecycle', () => {
  it('moves a pending order to confirmed or cancelled, and nowhere from there', () => {
    expect(transitionOf('pending', 'confirmed')).toBe('apply');
    expect(transitionOf('pending', 'cancelled')).toBe('apply');
    expect(transitionOf('confirmed', 'cancelled')).toBe('refused');
    expect(transitionOf('cancelled', 'confirmed')).toBe('refused');
    expect(transitionOf('confirmed', 'pending')).toBe('refused');
  });

  it('treats repeating a transition as already done (idempotent calls)', () => {
    expect(transitionOf('confirmed', 'confirmed')).toBe('already');
    expect(transitionOf('cancelled', 'cancelled')).toBe('already');
  });

  it('ends streams at confirmed and cancelled only', () => {
    expect([isFinalStatus('pending'), isFinalStatus('confirmed'), isFinalStatus('cancelled')]).toEqual([
      false,
      true,
      true,
    ]);
  });
});
