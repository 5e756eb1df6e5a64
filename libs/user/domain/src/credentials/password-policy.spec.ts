import { describe, expect, it } from 'vitest';
import { PasswordPolicy, type PasswordContext } from './password-policy.js';

const policy = new PasswordPolicy({ minLength: 12 });
const strong = 'zebra-copper-lantern-47';
const account = { email: 'ada.lovelace@example.com', displayName: 'Ada Lovelace' };

const descriptions = (password: string, context: PasswordContext = account, checked = policy) =>
  checked.check(password, context).map((violation) => violation.description);

describe('PasswordPolicy', () => {
  it('accepts a long, unguessable password', () => {
    expect(policy.check(strong, account)).toEqual([]);
    expect(policy.check('correct horse battery staple', {})).toEqual([]);
  });

  it('reports every violation on the field "password", worded to follow "the password "', () => {
    const violations = policy.check('password', account);
    expect(violations.length).toBeGreaterThan(0);
    for (const violation of violations) {
      expect(violation.field).toBe('password');
      expect(violation.description).toMatch(/^(must|is) /);
    }
  });

  describe('length', () => {
    it('requires a password', () => {
      expect(policy.check('', account)).toEqual([
        { field: 'password', description: 'is required', reason: 'REQUIRED' },
      ]);
    });

    it('refuses fewer characters than the minimum', () => {
      expect(descriptions('xK9#mQ2$vL7')).toContain('must be at least 12 characters');
      expect(descriptions('xK9#mQ2$vL7!')).not.toContain('must be at least 12 characters');
    });

    it('counts code points after NFC normalization, not UTF-16 units', () => {
      const emoji =
        '\u{1F98A}\u{1F40C}\u{1F9A9}\u{1F422}\u{1F41D}\u{1F98E}\u{1F419}\u{1F980}\u{1F41E}\u{1F997}\u{1F988}';
      expect(emoji).toHaveLength(22);
      expect(descriptions(emoji)).toContain('must be at least 12 characters');
      const composed = 'caf\u00e9-cr\u00e8me-br\u00fbl\u00e9e';
      const decomposed = composed.normalize('NFD');
      expect([composed.length, decomposed.length]).toEqual([17, 21]);
      expect(descriptions(decomposed, {}, new PasswordPolicy({ minLength: 18 }))).toContain(
        'must be at least 18 characters',
      );
    });

    it('refuses more characters than the maximum, which defaults to 1024, without estimating', () => {
      expect(policy.maxLength).toBe(1024);
      expect(policy.check(`${strong}${'x'.repeat(1024)}`, account)).toEqual([
        { field: 'password', description: 'must be at most 1024 characters', reason: 'TOO_LONG' },
      ]);
      expect(descriptions('a'.repeat(20), {}, new PasswordPolicy({ minLength: 8, maxLength: 16 }))).toEqual([
        'must be at most 16 characters',
      ]);
    });

    it('refuses lengths that are not a range of positive integers', () => {
      expect(() => new PasswordPolicy({ minLength: 0 })).toThrow(/positive integer, got 0/);
      expect(() => new PasswordPolicy({ minLength: 12, maxLength: 8 })).toThrow(/at least 12, got 8/);
    });
  });

  describe('guessability', () => {
    it.each(['password1234', 'qwertyuiopasdf', 'aaaaaaaaaaaaaaa', 'iloveyou12345', 'abcdefghijklmn'])(
      "refuses the guessable %s with zxcvbn's reason",
      (password) => {
        const [violation, ...others] = policy.check(password, {});
        expect(others).toEqual([]);
        expect(violation).toMatchObject({ field: 'password', reason: 'TOO_WEAK' });
        expect(violation?.description).toMatch(/^is too easy to guess: \S.*/);
        expect(violation?.description).not.toMatch(/: [a-z]+[A-Z][a-zA-Z]*$/); // a sentence, not a zxcvbn key
      },
    );

    it('treats the parts of the name as known words', () => {
      expect(descriptions('lovelace19121815', { displayName: 'Ada Lovelace' })).toEqual([
        'is too easy to guess: it contains personal details such as the email address or name',
      ]);
      expect(descriptions('lovelace19121815', {})).toEqual([]);
    });

    it('judges the first 100 characters only, so long inputs stay fast', () => {
      // The strong part starts after 104 characters: judged whole, this password would pass.
      const long = `${'password'.repeat(13)}${strong}`;
      expect(descriptions(long, {})).toEqual([expect.stringMatching(/^is too easy to guess: /)]);
    });
  });

  describe('personal details', () => {
    it("refuses a password containing the email address's local part, in any case", () => {
      expect(descriptions('Ada.Lovelace-copper-47')).toEqual(['must not contain the email address']);
    });

    it('refuses a password containing the display name, with or without its spaces', () => {
      expect(descriptions('copper ada lovelace 47')).toEqual(['must not contain the display name']);
      expect(descriptions('copper-AdaLovelace-47')).toEqual(['must not contain the display name']);
    });

    it('ignores details too short to matter', () => {
      expect(descriptions(`bo-${strong}`, { email: 'bo@example.com', displayName: 'Bo' })).toEqual([]);
    });

    it('reports a short password that contains the email as both, in one violation of the field', () => {
      expect(descriptions('ada.lovelace', { email: 'ada.lovelace@example.com' })).toEqual([
        'must not contain the email address',
      ]);
      expect(
        descriptions(
          'ada.lovelace!',
          { email: 'ada.lovelace@example.com' },
          new PasswordPolicy({ minLength: 14 }),
        ),
      ).toEqual(['must be at least 14 characters, and must not contain the email address']);
    });
  });
});
