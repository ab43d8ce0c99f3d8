/**
 * Input hygiene for what is stored: instance names, configuration values and secret values.
 * PostgreSQL cannot store a NUL character, and JSON cannot carry an unpaired UTF-16 surrogate
 * faithfully, so such text is refused with a ValidationError naming the field instead of
 * failing deep in the database as an internal error. Sizes and JSON nesting are bounded so that
 * one configuration cannot fill the database or overflow the stack of whoever walks it.
 * Messages name the field and the limit, never the value.
 *
 * Request-level limits (body size, query cost) are the HTTP layer's; these are per value.
 */
import type { FieldError } from '../../plugins/sdk/index.ts';
import { ValidationError } from './errors.ts';

export interface ConfigurationLimits {
  /** Largest value of one field, secrets included, in bytes (UTF-8 text, JSON for other values). */
  maxFieldBytes: number;
  /** Largest whole configuration, in bytes of JSON. */
  maxConfigurationBytes: number;
  /** Deepest nesting of objects and arrays inside one value (`{}` is 1). */
  maxJsonDepth: number;
}

export const DEFAULT_CONFIGURATION_LIMITS: ConfigurationLimits = {
  maxFieldBytes: 64 * 1024,
  maxConfigurationBytes: 256 * 1024,
  maxJsonDepth: 32,
};

/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** What is wrong with a text for storage, as the end of a sentence, or undefined when nothing is. */
export function textProblem(text: string): string | undefined {
  if (text.includes('\u0000')) return 'must not contain NUL characters';
  if (LONE_SURROGATE.test(text)) return 'must not contain unpaired surrogates (malformed Unicode)';
  return undefined;
}

/** The problems of a configuration input (a full configuration or a patch), by field key. */
export function configurationProblems(configuration: Readonly<Record<string, unknown>>, limits: ConfigurationLimits): FieldError[] {
  const errors: FieldError[] = [];
  for (const [key, value] of Object.entries(configuration)) {
    const keyProblem = textProblem(key);
    if (keyProblem) {
      errors.push({ field: '', rule: 'text', message: `A configuration key ${keyProblem}` });
      continue;
    }
    const problem = valueProblem(value, limits);
    if (problem) errors.push({ field: key, ...problem, message: `"${key}" ${problem.message}` });
  }
  if (errors.length === 0) {
    const bytes = byteLength(JSON.stringify(configuration));
    if (bytes > limits.maxConfigurationBytes) {
      errors.push({
        field: '',
        rule: 'maxSize',
        message: `The configuration is ${bytes} bytes; at most ${limits.maxConfigurationBytes} are allowed`,
      });
    }
  }
  return errors;
}

/** Throws a ValidationError when the configuration input breaks a limit. */
export function assertConfigurationWithinLimits(configuration: Readonly<Record<string, unknown>>, limits: ConfigurationLimits): void {
  const errors = configurationProblems(configuration, limits);
  if (errors.length > 0) throw new ValidationError(errors);
}

/** Throws a ValidationError on `field` when a name cannot be stored as given. */
export function assertStorableText(field: string, subject: string, text: string): void {
  const problem = textProblem(text);
  if (problem) throw new ValidationError([{ field, rule: 'text', message: `${subject} ${problem}` }]);
}

/**
 * One value: its nesting (walked iteratively, so no depth can overflow the stack), every string
 * and key in it, then its size. Stops at the first problem.
 */
function valueProblem(value: unknown, limits: ConfigurationLimits): { rule: string; message: string } | undefined {
  const pending: { node: unknown; depth: number }[] = [{ node: value, depth: 0 }];
  while (pending.length > 0) {
    const { node, depth } = pending.pop()!;
    if (typeof node === 'string') {
      const problem = textProblem(node);
      if (problem) return { rule: 'text', message: problem };
      continue;
    }
    if (node === null || typeof node !== 'object') continue;
    if (depth + 1 > limits.maxJsonDepth) {
      return { rule: 'maxDepth', message: `is nested deeper than ${limits.maxJsonDepth} levels` };
    }
    if (Array.isArray(node)) {
      for (const item of node) pending.push({ node: item, depth: depth + 1 });
    } else {
      for (const [key, item] of Object.entries(node)) {
        const problem = textProblem(key);
        if (problem) return { rule: 'text', message: `has a key that ${problem}` };
        pending.push({ node: item, depth: depth + 1 });
      }
    }
  }
  const bytes = typeof value === 'string' ? byteLength(value) : byteLength(JSON.stringify(value) ?? '');
  if (bytes > limits.maxFieldBytes) return { rule: 'maxSize', message: `is ${bytes} bytes; at most ${limits.maxFieldBytes} are allowed` };
  return undefined;
}

const byteLength = (text: string): number => Buffer.byteLength(text, 'utf8');
