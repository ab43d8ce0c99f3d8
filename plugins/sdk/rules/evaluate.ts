/** Evaluates one declarative constraint on an already typed value. */
import type { Constraint } from './constraints.ts';
import { compilePattern } from './regex.ts';

const plural = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;

/** Length in code points, as JSON Schema counts it (an emoji is one character, not two). */
function characterCount(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

/** The error message when `value` violates the constraint, `undefined` when it satisfies it. */
export function violation(constraint: Constraint, value: unknown, subject: string): string | undefined {
  const own = (fallback: string): string => constraint.message ?? fallback;
  switch (constraint.kind) {
    case 'minLength':
    case 'maxLength': {
      const isList = Array.isArray(value);
      const length = isList ? value.length : characterCount(String(value));
      const atLeast = constraint.kind === 'minLength';
      if (atLeast ? length >= constraint.limit : length <= constraint.limit) return undefined;
      const bound = `${atLeast ? 'at least' : 'at most'} ${plural(constraint.limit, isList ? 'item' : 'character')}`;
      return own(isList ? `${subject} must have ${bound}` : `${subject} must be ${bound}`);
    }
    case 'min':
      return (value as number) >= constraint.limit ? undefined : own(`${subject} must be at least ${constraint.limit}`);
    case 'max':
      return (value as number) <= constraint.limit ? undefined : own(`${subject} must be at most ${constraint.limit}`);
    case 'pattern': {
      const regex = compilePattern(constraint.pattern);
      // A broken schema must not let values through unchecked.
      if (!regex) return `${subject} cannot be checked: ${constraint.pattern} is not a valid regular expression`;
      return regex.test(String(value)) ? undefined : own(`${subject} must match the pattern ${constraint.pattern}`);
    }
    case 'enum':
      return constraint.values.includes(value as string | number | boolean)
        ? undefined
        : own(`${subject} must be one of: ${constraint.values.join(', ')}`);
  }
}
