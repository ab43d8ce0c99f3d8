/**
 * A real plugin context for tests: outbound calls go through the platform's HTTP client
 * (real fetch, real timeouts) and the egress gate with the development policy (loopback
 * reachable: tests reach only loopback servers; metadata addresses blocked), local-storage
 * may use the system's temporary directory, and the logger keeps every line so a test can
 * prove no secret was logged.
 */
import { tmpdir } from 'node:os';
import { createEgressGate, openEgressGate, type EgressGate } from '../../server/egress/egress.ts';
import { createHttpClient, type HttpClientOptions } from '../../server/egress/http-client.ts';
import type { PluginContext, PluginLogger } from '../../plugins/sdk/index.ts';

export interface LoggedLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  details?: Record<string, unknown>;
}

export interface TestPluginContext extends PluginContext {
  /** Every line logged through `logger`, in order. */
  readonly logs: LoggedLine[];
  /** All logged lines as one string (messages and details), for `not.toContain(secret)`. */
  loggedText(): string;
}

export interface TestPluginContextOptions extends Partial<PluginContext> {
  /** Options of the platform HTTP client (`defaultTimeoutMs`, `signal` …); ignored when `http` is given. */
  httpOptions?: HttpClientOptions;
}

export function createTestPluginContext(overrides: TestPluginContextOptions = {}): TestPluginContext {
  const logs: LoggedLine[] = [];
  const record =
    (level: LoggedLine['level']) =>
    (message: string, details?: Record<string, unknown>): void => {
      logs.push(details === undefined ? { level, message } : { level, message, details });
    };
  const logger: PluginLogger = { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') };
  const { httpOptions, ...rest } = overrides;
  return {
    http: createHttpClient(httpOptions),
    egress: openEgressGate,
    fileRoots: [tmpdir()],
    logger,
    ...rest,
    logs,
    loggedText: () => logs.map((line) => `${line.level} ${line.message} ${JSON.stringify(line.details ?? {})}`).join('\n'),
  };
}

/**
 * Everything a plugin said: its log lines plus any results and errors (message, stack and
 * causes included). Assert a canary secret is not in it.
 */
export function everythingSaid(context: TestPluginContext, ...outputs: unknown[]): string {
  return [context.loggedText(), ...outputs.map(describeOutput)].join('\n');
}

function describeOutput(output: unknown): string {
  if (output instanceof Error) {
    const cause = output.cause === undefined ? '' : `\ncause: ${describeOutput(output.cause)}`;
    return `${output.name}: ${output.message}\n${output.stack ?? ''}${cause}\n${JSON.stringify(output)}`;
  }
  return JSON.stringify(output) ?? String(output);
}

/** Runs `fn` and returns what it threw (failing when it did not throw). */
export async function thrownBy(fn: () => Promise<unknown>): Promise<Error> {
  try {
    await fn();
  } catch (error) {
    if (error instanceof Error) return error;
    throw new Error(`expected an Error, got ${String(error)}`);
  }
  throw new Error('expected the call to throw, it returned');
}

/**
 * An egress gate that blocks loopback and private ranges (production's policy): a plugin
 * pointed at a local double must be refused before it connects.
 */
export const loopbackBlockingGate = createEgressGate({ blockPrivate: true, allow: [], deny: [] });

/** The gate's socket factories, recording each destination asked for (then passing it on). */
export function recordingEgress(gate: EgressGate = openEgressGate): { egress: PluginContext['egress']; connects: { host: string; port: number }[] } {
  const connects: { host: string; port: number }[] = [];
  return {
    connects,
    egress: {
      check: gate.check,
      connect: (options) => (connects.push({ host: options.host ?? '', port: options.port }), gate.connect(options)),
      connectTls: (options) => (connects.push({ host: options.host ?? '', port: options.port ?? 0 }), gate.connectTls(options)),
    },
  };
}
