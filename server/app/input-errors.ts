/**
 * No error echoes the values it was given (contract 7). graphql-js writes the rejected value
 * into two kinds of errors: variable coercion (`Variable "$input" got invalid value { …
 * secrets: [{ key: "apiKey", value: "<the secret>" }] } at "input.x"; Expected type …`) and
 * literal validation (`Expected value of type "Int", found "<literal>"`). Scalar messages add
 * the value again (`Int cannot represent non-integer value: 1.5`). This envelop plugin rewrites
 * both to name only where (the variable path, or the literal's location) and the expected
 * type. No maintained plugin does this (yoga's error masking leaves input errors as they are,
 * on purpose: they are meant for the client), hence these few lines.
 */
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/** The parts of a coercion message that hold no value: the type expected, or a field's name. */
const SAFE_REASONS = [
  /^Expected (non-nullable )?type "[^"]+"( to be an object| not to be null)?\./,
  /^Field "[^"]+" of required type "[^"]+" was not provided\./,
  /^Field "[^"]+" is not defined by type "[^"]+"\./,
  /^Exactly one key must be specified for OneOf type "[^"]+"\./,
  /^Field "[^"]+" must be non-null\./,
];
/** Names in messages come from the request too (keys); long ones are cut. */
const MAX_NAME_LENGTH = 100;

/** The type a scalar or enum error is about: `Int cannot represent …`, `Value … does not exist in "Role" enum.` */
function typeNamed(message: string): string | undefined {
  return (
    /^(\w+) cannot represent /.exec(message)?.[1] ??
    /does not exist in "(\w+)" enum\./.exec(message)?.[1] ??
    // Plugform's own scalars say `SecretValue must be a string`: a type name and a rule, no value.
    /^([A-Z]\w*) must be [^"'{}[\]:]*$/.exec(message)?.[1]
  );
}

function safeReason(message: string): string {
  for (const pattern of SAFE_REASONS) {
    const match = pattern.exec(message);
    if (match) return match[0].replace(/"([^"]{101,})"/g, (_all, name: string) => `"${name.slice(0, MAX_NAME_LENGTH)}…"`);
  }
  const type = typeNamed(message);
  return type ? `Expected type "${type}".` : 'The value does not have the expected type.';
}

const VARIABLE_VALUE = /^Variable "\$([_A-Za-z][_0-9A-Za-z]*)" got invalid value /;
const LITERAL_VALUE = /^Expected value of type "([^"]+)", found /;

/** A variable coercion error without the value; other errors are returned as they are. */
export function withoutVariableValue(error: GraphQLError): GraphQLError {
  if (typeof error?.message !== 'string') return error;
  const variable = VARIABLE_VALUE.exec(error.message);
  if (!variable) return error;
  const inner = error.originalError?.message ?? '';
  const head = inner && error.message.endsWith(`; ${inner}`) ? error.message.slice(0, -(inner.length + 2)) : '';
  const path = / at "([^"\\]*)"$/.exec(head)?.[1];
  const where = path ? ` at "${path.slice(0, 200)}"` : '';
  return rebuilt(error, `Variable "$${variable[1]}" got an invalid value${where}; ${safeReason(inner)}`);
}

/** A validation error about a literal in the document, without the literal. */
export function withoutLiteralValue(error: GraphQLError): GraphQLError {
  if (typeof error?.message !== 'string') return error;
  const type = LITERAL_VALUE.exec(error.message)?.[1] ?? typeNamed(error.message);
  return type ? rebuilt(error, `Expected value of type "${type}" at this location.`) : error;
}

function rebuilt(error: GraphQLError, message: string): GraphQLError {
  // Locations and path stay (they point into the client's own document); the original error,
  // whose message may hold the value, does not.
  return new GraphQLError(message, {
    ...(error.nodes ? { nodes: error.nodes } : {}),
    ...(error.source ? { source: error.source } : {}),
    ...(error.positions ? { positions: error.positions } : {}),
    ...(error.path ? { path: error.path } : {}),
    extensions: error.extensions,
  });
}

type ResultWithErrors = { errors?: readonly GraphQLError[] } & Record<string, unknown>;

function scrubbed<T extends ResultWithErrors>(result: T): T | undefined {
  if (!result.errors?.some((error) => withoutVariableValue(error) !== error)) return undefined;
  return { ...result, errors: result.errors.map(withoutVariableValue) };
}

export function useInputValueFreeErrors(): Plugin {
  const onDone = ({ result, setResult }: { result: unknown; setResult: (result: never) => void }) => {
    // A stream (subscription, incremental delivery) has passed coercion already.
    if (typeof result !== 'object' || result === null || Symbol.asyncIterator in result) return;
    const clean = scrubbed(result as ResultWithErrors);
    if (clean) setResult(clean as never);
  };
  return {
    onValidate: () => ({ result, setResult }) => {
      const errors = result as readonly GraphQLError[];
      if (errors.some((error) => withoutLiteralValue(error) !== error)) setResult(errors.map(withoutLiteralValue));
    },
    onExecute: () => ({ onExecuteDone: onDone }),
    onSubscribe: () => ({ onSubscribeResult: onDone }),
  };
}
