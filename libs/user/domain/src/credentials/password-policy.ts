import type { FieldViolation } from '@platform/core';
import { ZxcvbnFactory, type TranslationKeys } from '@zxcvbn-ts/core';
import { adjacencyGraphs, dictionary } from '@zxcvbn-ts/language-common';
import { userFieldLimits } from '../users/user-request-validators.js';

/** Options of {@link PasswordPolicy}. */
export interface PasswordPolicyOptions {
  /** Fewest characters (code points, after NFC normalization). At least 1. */
  minLength: number;
  /**
   * Most characters (code points). Defaults to 1024, the longest credential the API accepts
   * (`userFieldLimits.credentialMaxLength`).
   */
  maxLength?: number;
}

/** What a password must not be built from: the account's own details. */
export interface PasswordContext {
  email?: string;
  displayName?: string;
}

/** Lowest zxcvbn score accepted: 3 is "safely unguessable: moderate protection from offline slow-hash attacks". */
const minimumScore = 3;
/** zxcvbn's time grows with the input; the first characters decide its verdict anyway. */
const estimatedPrefixLength = 100;
/** Details shorter than this are common substrings; zxcvbn still weighs them as user inputs. */
const minimumDetailLength = 4;

// zxcvbn-ts reports its warnings as keys (its translations live in the language packages);
// each reads after "the password is too easy to guess: ".
const warningTexts: Record<keyof TranslationKeys['warnings'], string> = {
  straightRow: 'straight rows of keys are easy to guess',
  keyPattern: 'short keyboard patterns are easy to guess',
  simpleRepeat: 'repeated characters like "aaa" are easy to guess',
  extendedRepeat: 'repeated patterns like "abcabcabc" are easy to guess',
  sequences: 'common sequences like "abc" are easy to guess',
  recentYears: 'recent years are easy to guess',
  dates: 'dates are easy to guess',
  topTen: 'it is among the ten most used passwords',
  topHundred: 'it is among the hundred most used passwords',
  common: 'it is a commonly used password',
  similarToCommon: 'it is similar to a commonly used password',
  wordByItself: 'single words are easy to guess',
  namesByThemselves: 'single names or surnames are easy to guess',
  commonNames: 'common names and surnames are easy to guess',
  userInputs: 'it contains personal details such as the email address or name',
  pwned: 'it appeared in a data breach',
};
const fallbackWarning = 'add more words or less common characters';

let estimator: ZxcvbnFactory | undefined;

/** Built on first use (it ranks the dictionaries, tens of milliseconds) and shared. */
function passwordEstimator(): ZxcvbnFactory {
  estimator ??= new ZxcvbnFactory({ dictionary, graphs: adjacencyGraphs });
  return estimator;
}

const codePoints = (value: string) => [...value];
const prefix = (value: string) => codePoints(value).slice(0, estimatedPrefixLength).join('');

/** The account details worth looking for in its password, lowercased. */
function personalDetails({ email, displayName }: PasswordContext) {
  const localPart = email?.trim().split('@')[0]?.normalize('NFC').toLowerCase() ?? '';
  const name = displayName?.trim().replace(/\s+/g, ' ').normalize('NFC').toLowerCase() ?? '';
  const long = (value: string) => codePoints(value).length >= minimumDetailLength;
  return {
    localPart: long(localPart) ? localPart : undefined,
    names: [name, name.replace(/ /g, '')].filter(long),
    // zxcvbn splits nothing itself: every part of the name is a word an attacker would try.
    userInputs: [localPart, ...localPart.split(/[^\p{L}\p{N}]+/u), name, ...name.split(' ')]
      .filter((input) => input.length > 0)
      .map(prefix),
  };
}

/**
 * The rules of new passwords (NIST SP 800-63B): a length range, not guessable by zxcvbn's
 * estimate (score 3 or more, with the account's email and name as known words), and not built
 * from the email address or the name. No composition rules (a digit, a symbol…).
 */
export class PasswordPolicy {
  readonly minLength: number;
  readonly maxLength: number;

  /** Throws an `Error` when the lengths are not a range of positive integers. */
  constructor(options: PasswordPolicyOptions) {
    const { minLength, maxLength = userFieldLimits.credentialMaxLength } = options;
    if (!Number.isSafeInteger(minLength) || minLength < 1) {
      throw new Error(`the minimum password length must be a positive integer, got ${minLength}`);
    }
    if (!Number.isSafeInteger(maxLength) || maxLength < minLength) {
      throw new Error(
        `the maximum password length must be an integer of at least ${minLength}, got ${maxLength}`,
      );
    }
    this.minLength = minLength;
    this.maxLength = maxLength;
  }

  /**
   * Every rule `password` breaks, as violations of the field `password` whose descriptions read
   * after "the password " ("must be at least 12 characters"). Empty when it is acceptable.
   */
  check(password: string, context: PasswordContext = {}): FieldViolation[] {
    const field = 'password';
    if (!password) return [{ field, description: 'is required', reason: 'REQUIRED' }];
    // Measured as the hasher sees it: NFC, so `é` counts once however it was typed.
    const normalized = password.normalize('NFC');
    const length = codePoints(normalized).length;
    if (length > this.maxLength) {
      return [{ field, description: `must be at most ${this.maxLength} characters`, reason: 'TOO_LONG' }];
    }
    const violations: FieldViolation[] = [];
    if (length < this.minLength) {
      violations.push({
        field,
        description: `must be at least ${this.minLength} characters`,
        reason: 'TOO_SHORT',
      });
    }
    const lowered = normalized.toLowerCase();
    const details = personalDetails(context);
    if (details.localPart && lowered.includes(details.localPart)) {
      violations.push({ field, description: 'must not contain the email address', reason: 'CONTAINS_EMAIL' });
    }
    if (details.names.some((name) => lowered.includes(name))) {
      violations.push({ field, description: 'must not contain the display name', reason: 'CONTAINS_NAME' });
    }
    // zxcvbn would only repeat those two in its own words.
    if (violations.some((violation) => violation.reason?.startsWith('CONTAINS_')))
      return oneViolation(violations);
    const estimate = passwordEstimator().check(prefix(normalized), details.userInputs);
    if (estimate.score < minimumScore) {
      const warning = estimate.feedback.warning as keyof typeof warningTexts | null;
      const reason = (warning && warningTexts[warning]) || fallbackWarning;
      violations.push({ field, description: `is too easy to guess: ${reason}`, reason: 'TOO_WEAK' });
    }
    return oneViolation(violations);
  }
}

/**
 * One BadRequest field violation per bad field (what clients and forms expect): every problem of
 * the password in one description, the first problem's reason.
 */
function oneViolation(violations: FieldViolation[]): FieldViolation[] {
  const [first] = violations;
  if (!first || violations.length === 1) return violations;
  return [{ ...first, description: violations.map((violation) => violation.description).join(', and ') }];
}
