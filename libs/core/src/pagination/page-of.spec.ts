import { describe, expect, it } from 'vitest';
import { pageOf } from './page-of.js';

describe('pageOf', () => {
  it('cuts the extra row and gives a token from the last row of the page', () => {
    expect(pageOf([1, 2, 3], 2, (last) => `after-${last}`)).toEqual({
      items: [1, 2],
      nextPageToken: 'after-2',
    });
  });

  it('gives no token on the last page', () => {
    expect(pageOf([1, 2], 2, () => 'never')).toEqual({ items: [1, 2], nextPageToken: '' });
    expect(pageOf([], 2, () => 'never')).toEqual({ items: [], nextPageToken: '' });
  });
});
