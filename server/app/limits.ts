/**
 * Request-level limits as yoga plugins (contract 9). graphql-armor bounds tokens (while
 * parsing), aliases, depth, directives and cost (while validating); what armor does not cover
 * is written here and says why:
 * - nesting of argument literals and variables: graphql-js parses and coerces recursively
 *   and has no depth option, so a 5,000-deep literal overflowed the stack. The document is
 *   scanned before it is parsed, the variables before they are coerced, both without recursion;
 * - the size of a result, checked once it is complete (everything above bounds the work; this
 *   is the backstop for what is left, e.g. many large configurations on one page).
 * - the request body size: yoga's own `maxRequestBodySize` pipes every body through a byte
 *   counting stream, which cost about a tenth of a small query's time; `useRequestBodyLimit`
 *   counts only bodies whose length is not declared (Node's HTTP parser already holds a body to
 *   its Content-Length). Its error is yoga's, reworded in yoga.ts.
 *
 * Every refusal is a GraphQL error with `extensions: { code: 'LIMIT_EXCEEDED', limit, max }`,
 * `limit` being the setting that refused it, so whoever hits it knows what to change.
 */
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import type { GraphQLArmorRejectCallback } from '@escape.tech/graphql-armor-types';
import type { GraphQLError } from 'graphql';
import { createGraphQLError, isAsyncIterable, type Plugin } from 'graphql-yoga';
import type { RequestLimits } from '../config.ts';

export const LIMIT_EXCEEDED = 'LIMIT_EXCEEDED';

/** A refusal by one of the request limits; `status` sets the HTTP status where it decides one. */
export function limitExceeded(limit: string, max: number, message: string, status?: number): GraphQLError {
  return createGraphQLError(message, {
    extensions: { code: LIMIT_EXCEEDED, limit, max, ...(status === undefined ? {} : { http: { status } }) },
  });
}

/** graphql-armor, each protection reporting its refusal as a LIMIT_EXCEEDED error naming its setting. */
export function useArmor(limits: RequestLimits, options: { blockFieldSuggestions: boolean }): Plugin {
  // Armor's own errors say "Syntax Error: Aliases limit of 15 exceeded, found 16."; the
  // message is kept (it has the numbers) and the setting added.
  const reject =
    (limit: string, max: number): GraphQLArmorRejectCallback[] => [
      (context, error) => {
        const refusal = limitExceeded(limit, max, `${error.message.replace(/^Syntax Error: /, '')} (${limit})`);
        // Validation rules have a context to report to; the token counter runs in the parser,
        // where throwing is how a parse fails.
        if (context) context.reportError(refusal);
        else throw refusal;
      },
    ];
  const common = { propagateOnRejection: false, exposeLimits: true } as const;
  return EnvelopArmorPlugin({
    maxTokens: { ...common, n: limits.maxQueryTokens, onReject: reject('PLUGFORM_MAX_QUERY_TOKENS', limits.maxQueryTokens) },
    maxAliases: { ...common, n: limits.maxAliases, onReject: reject('PLUGFORM_MAX_ALIASES', limits.maxAliases) },
    maxDepth: { ...common, n: limits.maxQueryDepth, onReject: reject('PLUGFORM_MAX_QUERY_DEPTH', limits.maxQueryDepth) },
    maxDirectives: { ...common, n: limits.maxDirectives, onReject: reject('PLUGFORM_MAX_DIRECTIVES', limits.maxDirectives) },
    costLimit: { ...common, maxCost: limits.maxQueryCost, onReject: reject('PLUGFORM_MAX_QUERY_COST', limits.maxQueryCost) },
    // "Did you mean …" tells a stranger the schema; developers keep the hints.
    blockFieldSuggestion: { enabled: options.blockFieldSuggestions },
  }) as Plugin;
}

/**
 * How deeply a document's brackets nest: `literal` counts `{` and `[` inside an argument
 * list or variable definitions (object and list values), `total` every bracket. Strings and
 * comments are skipped. Linear, no recursion: it runs before the recursive parser.
 */
export function documentNesting(source: string): { literal: number; total: number } {
  let literal = 0;
  let total = 0;
  // For each open bracket, the literal depth outside it; -1 means "not inside an argument".
  const outer: number[] = [];
  let current = -1;
  const length = source.length;
  for (let i = 0; i < length; i++) {
    const char = source[i];
    if (char === '#') {
      while (i < length && source[i] !== '\n' && source[i] !== '\r') i++;
    } else if (char === '"') {
      if (source.startsWith('"""', i)) {
        i += 3;
        while (i < length && !source.startsWith('"""', i)) i += source.startsWith('\\"""', i) ? 4 : 1;
        i += 2;
      } else {
        i++;
        while (i < length && source[i] !== '"' && source[i] !== '\n') i += source[i] === '\\' ? 2 : 1;
      }
    } else if (char === '(') {
      outer.push(current);
      current = 0;
    } else if (char === '{' || char === '[') {
      outer.push(current);
      if (current >= 0) literal = Math.max(literal, ++current);
    } else if (char === ')' || char === '}' || char === ']') {
      current = outer.pop() ?? -1;
    }
    if (outer.length > total) total = outer.length;
  }
  return { literal, total };
}

/** True when `value` holds objects or arrays nested more than `max` levels deep. */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const pending: Array<[unknown, number]> = [[value, 0]];
  while (pending.length > 0) {
    const [item, depth] = pending.pop()!;
    if (item === null || typeof item !== 'object') continue;
    if (depth + 1 > max) return true;
    for (const child of Object.values(item)) if (child !== null && typeof child === 'object') pending.push([child, depth + 1]);
  }
  return false;
}

/** Refuses documents and variables that nest deeper than PLUGFORM_MAX_INPUT_DEPTH before anything recursive sees them. */
export function useInputNestingLimit(limits: RequestLimits): Plugin {
  const max = limits.maxInputDepth;
  // Selections nest too (with inline fragments, about three brackets per level of depth);
  // armor checks their depth after parsing, this only keeps the parser's recursion bounded.
  const maxTotal = max + 3 * limits.maxQueryDepth;
  return {
    onParams({ params }) {
      for (const [name, value] of Object.entries(params.variables ?? {})) {
        if (nestsDeeperThan(value, max)) {
          throw limitExceeded('PLUGFORM_MAX_INPUT_DEPTH', max, `Variable "$${name}" nests deeper than ${max} levels (PLUGFORM_MAX_INPUT_DEPTH)`);
        }
      }
    },
    onParse({ params }) {
      const source = typeof params.source === 'string' ? params.source : params.source.body;
      const nesting = documentNesting(source);
      if (nesting.literal > max) {
        throw limitExceeded('PLUGFORM_MAX_INPUT_DEPTH', max, `An argument value nests deeper than ${max} levels (PLUGFORM_MAX_INPUT_DEPTH)`);
      }
      if (nesting.total > maxTotal) {
        throw limitExceeded(
          'PLUGFORM_MAX_QUERY_DEPTH',
          limits.maxQueryDepth,
          `The document nests deeper than ${limits.maxQueryDepth} levels of fields allow (PLUGFORM_MAX_QUERY_DEPTH)`,
        );
      }
    },
  };
}

/**
 * Replaces a result larger than PLUGFORM_MAX_RESPONSE_BYTES (serialised) by an error. The
 * serialisation made to measure it is the one sent: yoga uses a result's own `stringify` when
 * it has one, so a result is turned into JSON once, not twice.
 */
export function useResponseSizeLimit(limits: RequestLimits): Plugin {
  const max = limits.maxResponseBytes;
  return {
    onExecute() {
      return {
        onExecuteDone({ result, setResult }) {
          if (isAsyncIterable(result)) return;
          const text = JSON.stringify(result);
          // A UTF-16 code unit is at most 3 bytes of UTF-8: most results need no counting.
          const size = text.length * 3 <= max ? text.length : Buffer.byteLength(text, 'utf8');
          if (size <= max) {
            // Only a result without errors or extensions is sent as it is (yoga rewrites those
            // first); anything else, or a result replaced after this, is serialised anew.
            if (!result.errors && !result.extensions) {
              Object.defineProperty(result, 'stringify', {
                value: (sent: unknown) => (sent === result ? text : JSON.stringify(sent)),
                enumerable: false,
              });
            }
            return;
          }
          setResult({
            errors: [
              limitExceeded(
                'PLUGFORM_MAX_RESPONSE_BYTES',
                max,
                `The result would be ${size} bytes, more than ${max} (PLUGFORM_MAX_RESPONSE_BYTES); select fewer fields or ask for a smaller page`,
              ),
            ],
          });
        },
      };
    },
  };
}

/** Yoga's own error for a body over the limit (reworded with the setting's name in yoga.ts). */
function bodyTooLarge(): GraphQLError {
  return createGraphQLError('Request body too large', { extensions: { http: { status: 413 }, code: 'REQUEST_ENTITY_TOO_LARGE' } });
}

/**
 * Yoga's `maxRequestBodySize` (use-limit-request-body-size.js), without the stream where it
 * is not needed: a declared Content-Length over `max` is refused before the body is read, and
 * one within it needs no counting, because Node's HTTP parser never hands over more bytes than
 * the Content-Length says. A body without one (chunked) is counted as it streams in, as yoga
 * does. Runs after the request parsers are chosen (last in the plugin list), like yoga's.
 */
export function useRequestBodyLimit(max: number): Plugin {
  return {
    onRequestParse({ request, requestParser, setRequestParser, fetchAPI }) {
      const declared = request.headers.get('content-length');
      if (declared !== null) {
        // Only one whole number is a Content-Length (a list of them is a smuggling attempt).
        if (!/^\d+$/.test(declared)) {
          throw createGraphQLError('Content-Length header is invalid.', { extensions: { http: { status: 400 }, code: 'BAD_REQUEST' } });
        }
        if (Number(declared) > max) throw bodyTooLarge();
        return;
      }
      if (!requestParser || !request.body) return;
      const parse = requestParser;
      setRequestParser((req) => {
        if (!req.body) return parse(req);
        let read = 0;
        const Transform = req.body instanceof ReadableStream ? globalThis.TransformStream : fetchAPI.TransformStream;
        const counted = req.body.pipeThrough(
          new Transform<Uint8Array, Uint8Array>({
            transform(chunk, controller) {
              read += chunk.byteLength;
              if (read > max) controller.error(bodyTooLarge());
              else controller.enqueue(chunk);
            },
          }),
        );
        return parse(new fetchAPI.Request(req.url, { method: req.method, headers: req.headers, signal: req.signal, body: counted, duplex: 'half' } as RequestInit));
      });
    },
  };
}
