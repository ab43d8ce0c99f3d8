/**
 * What a field accepts, said before the user errs: "8–64 characters", "Whole number from 0
 * to 5", "A JSON array". Built from the SDK's own constraint list (the one validateConfig
 * checks), so the hint and the rule are the same thing. Pure.
 */
import { FieldType, fieldConstraints, type Constraint, type FieldSpec } from '../sdk.ts';

const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

/** The tightest of several bounds of one kind (an attribute and a rule may both set one). */
function tightest(constraints: readonly Constraint[], kind: 'minLength' | 'maxLength' | 'min' | 'max', target: 'value' | 'items') {
  const limits = constraints.flatMap((c) => (c.kind === kind && c.target === target ? [c.limit] : []));
  if (limits.length === 0) return undefined;
  return kind === 'minLength' || kind === 'min' ? Math.max(...limits) : Math.min(...limits);
}

function range(low: number | undefined, high: number | undefined, unit: (n: number) => string): string | undefined {
  if (low !== undefined && high !== undefined) return low === high ? `Exactly ${unit(low)}` : `${low}–${unit(high)}`;
  if (low !== undefined) return `At least ${unit(low)}`;
  if (high !== undefined) return `At most ${unit(high)}`;
  return undefined;
}

function numberRange(low: number | undefined, high: number | undefined, integer: boolean): string | undefined {
  const kind = integer ? 'Whole number' : 'Number';
  if (low !== undefined && high !== undefined) return `${kind} from ${low} to ${high}`;
  if (low !== undefined) return `${kind}, at least ${low}`;
  if (high !== undefined) return `${kind}, at most ${high}`;
  return integer ? 'Whole number' : undefined;
}

/** One short phrase per rule the field's value must follow, in reading order. */
export function describeConstraints(field: FieldSpec): string[] {
  const constraints = fieldConstraints(field);
  const out: string[] = [];
  const isList = field.type === FieldType.ARRAY || field.type === FieldType.MULTI_SELECT;
  const itemType = field.type === FieldType.ARRAY ? (field.itemType ?? FieldType.STRING) : field.type;

  const noun = !isList ? 'character' : field.type === FieldType.MULTI_SELECT ? 'choice' : 'item';
  const length = range(tightest(constraints, 'minLength', 'value'), tightest(constraints, 'maxLength', 'value'), (n) => plural(n, noun));
  if (length) out.push(length);

  const target = isList ? 'items' : 'value';
  if (itemType === FieldType.INTEGER || itemType === FieldType.FLOAT) {
    const numbers = numberRange(tightest(constraints, 'min', target), tightest(constraints, 'max', target), itemType === FieldType.INTEGER);
    if (numbers) out.push(isList ? `Each item: ${numbers.toLowerCase()}` : numbers);
  }
  for (const constraint of constraints) {
    // A rule's own message says the pattern in words ("The account ID has 10 to 20 digits.").
    if (constraint.kind === 'pattern') out.push(constraint.message ?? `${isList ? 'Each item matches' : 'Matches'} ${constraint.pattern}`);
    if (constraint.kind === 'enum') out.push(`${isList ? 'Each item is one of' : 'One of'}: ${constraint.values.join(', ')}`);
  }
  if (field.type === FieldType.JSON) out.push(field.jsonShape === 'array' ? 'A JSON array' : 'A JSON object');
  return out;
}
