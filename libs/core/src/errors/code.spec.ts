import { Code as ProtoCode, codeToNumber } from '@platform/proto';
import { describe, expect, it } from 'vitest';
import { Code, codeName } from './code.js';

describe('Code', () => {
  it('numbers every code as google/rpc/code.proto does', () => {
    const protoNames = Object.values(ProtoCode).filter((name) => name !== ProtoCode.UNRECOGNIZED);
    expect(Object.fromEntries(protoNames.map((name) => [name, codeToNumber(name)]))).toEqual(Code);
    expect(Object.values(Code)).toEqual(Object.keys(Code).map((_, index) => index));
  });

  it('names a code, and nothing for a number that is none', () => {
    expect(codeName(Code.NOT_FOUND)).toBe('NOT_FOUND');
    expect(codeName(17)).toBeUndefined();
    expect(codeName(-1)).toBeUndefined();
  });
});
