import type { z } from 'zod';
import { didYouMean } from './nearest-word.js';

type Issue = z.core.$ZodIssue;
type PathPart = PropertyKey;

/** A schema problem in words: where (relative to the value checked) and what is wrong, as an operator fixes it. */
export interface IssueInWords {
  path: PathPart[];
  message: string;
}

const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'a boolean (true/false, yes/no)',
  array: 'a list',
  object: 'a mapping',
  record: 'a mapping',
  null: 'nothing (null)',
};

const typeWords = (t: string): string => TYPE_WORDS[t] ?? t;

/** What a value is, in words: `the string "x"`, `the number 5`, `a list`. */
const valueWords = (v: unknown): string => {
  if (v === null) return 'nothing (an empty value)';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `the string "${v.length > 60 ? `${v.slice(0, 57)}...` : v}"`;
  return `the ${typeof v} ${String(v)}`;
};

const valueAt = (value: unknown, path: readonly PathPart[]): unknown =>
  path.reduce<unknown>((cur, p) => (cur !== null && typeof cur === 'object' ? (cur as Record<PropertyKey, unknown>)[p] : undefined), value);

// the zod default messages ("Invalid input", "Too small: …") are the validator's jargon; a schema's own message is kept
const isDefaultMessage = (message: string): boolean => /^(Invalid (input|option|string|key)|Too (small|big)|Unrecognized key)/.test(message);

const bound = (issue: Extract<Issue, { code: 'too_small' | 'too_big' }>): string => {
  const small = issue.code === 'too_small';
  const limit = String(small ? (issue as { minimum: unknown }).minimum : (issue as { maximum: unknown }).maximum);
  const inclusive = issue.inclusive !== false;
  if (issue.origin === 'string') return limit === '1' && small ? 'must not be empty' : `must be ${small ? 'at least' : 'at most'} ${limit} characters long`;
  if (issue.origin === 'array' || issue.origin === 'set') return `must have ${small ? 'at least' : 'at most'} ${limit} item${limit === '1' ? '' : 's'}`;
  if (inclusive) return `must be ${small ? 'at least' : 'at most'} ${limit}`;
  return `must be ${small ? 'more' : 'less'} than ${limit}`;
};

// a union failed: the types it takes, or (when one branch matched the shape and failed deeper) that branch's problem
const unionWords = (issue: Extract<Issue, { code: 'invalid_union' }>, value: unknown, path: PathPart[]): IssueInWords => {
  const branches = issue.errors.map((e) => e[0]).filter((i): i is Issue => i !== undefined);
  const deeper = branches.find((b) => b.path.length > 0 || (b.code !== 'invalid_type' && b.code !== 'invalid_union'));
  if (deeper) return describeIssue(deeper, valueAt(value, path), path);
  const expected = [...new Set(branches.flatMap((b) => (b.code === 'invalid_type' ? [typeWords(b.expected)] : [])))];
  const got = valueAt(value, path);
  if (got === undefined) return { path, message: `is required${expected.length ? ` (${expected.join(' or ')})` : ''} and missing` };
  return { path, message: `expected ${expected.join(' or ') || 'another kind of value'}, got ${valueWords(got)}` };
};

/**
 * One zod issue in words: `expected a number, got the string "many"`, `is required (a string) and missing`,
 * `must be one of: file, directory; did you mean 'directory'?`. `value` is the value the schema checked;
 * `base` the path of that value (issue paths are relative to it).
 */
export const describeIssue = (issue: Issue, value: unknown, base: PathPart[] = []): IssueInWords => {
  const path = [...base, ...issue.path];
  const own = issue.path as PathPart[];
  if (!isDefaultMessage(issue.message)) return { path, message: issue.message };
  switch (issue.code) {
    case 'invalid_type': {
      const got = valueAt(value, own);
      if (got === undefined) return { path, message: `is required (${typeWords(issue.expected)}) and missing` };
      return { path, message: `expected ${typeWords(issue.expected)}, got ${valueWords(got)}` };
    }
    case 'invalid_union': {
      const inner = unionWords(issue, valueAt(value, own), []);
      return { path: [...path, ...inner.path], message: inner.message };
    }
    case 'invalid_value': {
      const got = valueAt(value, own);
      const choices = issue.values.map(String);
      const near = typeof got === 'string' ? didYouMean(got, choices) : '';
      return { path, message: `${got === undefined ? 'is required and missing: it' : valueWords(got)} must be one of: ${choices.join(', ')}${near}` };
    }
    case 'too_small':
    case 'too_big':
      return { path, message: bound(issue) };
    case 'invalid_format':
      return {
        path,
        message: `${valueWords(valueAt(value, own))} is not a valid ${issue.format === 'regex' ? `value (it must match ${(issue as { pattern?: string }).pattern})` : issue.format}`,
      };
    case 'unrecognized_keys':
      return { path, message: `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}` };
    default:
      return { path, message: issue.message };
  }
};

/** The issue an operator should read first: a misspelt key explains the required key that then looks missing. */
export const firstIssue = (issues: readonly Issue[]): Issue => issues.find((i) => i.code === 'unrecognized_keys') ?? issues[0];
