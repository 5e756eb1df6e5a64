/**
 * One page of a list read with one row more than the page size (AIP-158 without a count
 * query): the first `limit` rows, and the token of the next page, from the page's last row,
 * when that extra row exists; `''` on the last page.
 */
export function pageOf<Row>(
  rows: readonly Row[],
  limit: number,
  nextToken: (last: Row) => string,
): { items: Row[]; nextPageToken: string } {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, nextPageToken: rows.length > limit && last !== undefined ? nextToken(last) : '' };
}
