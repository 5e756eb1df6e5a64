/** The character {@link withInvalidUtf8} turns into invalid UTF-8: '§', encoded C2 A7. */
export const invalidUtf8Marker = '\u00a7';

/**
 * A serialized message with every '§' (C2 A7) of its strings replaced by C2 28, a lead byte
 * without its continuation: invalid UTF-8 of the same length, so the framing stays right.
 * Encode a request with the generated code, a '§' where the bad bytes belong, then pass it here.
 */
export function withInvalidUtf8(serialized: Uint8Array): Uint8Array {
  const bytes = Uint8Array.from(serialized);
  let replaced = 0;
  for (let index = 0; index + 1 < bytes.length; index += 1) {
    if (bytes[index] === 0xc2 && bytes[index + 1] === 0xa7) {
      bytes[index + 1] = 0x28;
      replaced += 1;
    }
  }
  if (replaced === 0) throw new Error(`withInvalidUtf8: no ${invalidUtf8Marker} in the message`);
  return bytes;
}
