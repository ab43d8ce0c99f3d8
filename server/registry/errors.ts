/**
 * Errors of the registry. Every one carries the path or plugin it is about, because an admin
 * reading "plugin failed" without knowing which file to open cannot fix anything.
 */
import { relative, isAbsolute } from 'node:path';

/** A plugin that could not be registered, as the registry records it (and the API will show it). */
export interface PluginLoadError {
  /** Absolute path of the plugin file (a folder plugin's index file), or of the configured path. */
  path: string;
  /** What went wrong, one line, without the path (see `formatLoadError` for the full line). */
  reason: string;
  /** The plugin's declared name, when loading got far enough to read it. */
  pluginName?: string;
}

/** Thrown while loading one plugin; discovery turns it into a `PluginLoadError` record. */
export class PluginLoadFailure extends Error {
  override readonly name = 'PluginLoadFailure';
  readonly path: string;
  readonly reason: string;
  readonly pluginName: string | undefined;
  constructor(path: string, reason: string, pluginName?: string, options?: ErrorOptions) {
    super(`${displayPath(path)}: ${reason}`, options);
    this.path = path;
    this.reason = reason;
    this.pluginName = pluginName;
  }

  toRecord(): PluginLoadError {
    return this.pluginName === undefined
      ? { path: this.path, reason: this.reason }
      : { path: this.path, reason: this.reason, pluginName: this.pluginName };
  }
}

/** A provider that does not implement what its plugin type promises (or was shared). */
export class ProviderContractError extends Error {
  override readonly name = 'ProviderContractError';
  readonly pluginName: string;
  readonly source: string;
  /** The problem alone, without the plugin and path. */
  readonly problem: string;
  /** Operations the provider lacks (empty when the problem is something else, e.g. a shared object). */
  readonly missing: readonly string[];
  constructor(pluginName: string, source: string, problem: string, missing: readonly string[] = []) {
    super(`plugin "${pluginName}" (${displayPath(source)}): ${problem}`);
    this.pluginName = pluginName;
    this.source = source;
    this.problem = problem;
    this.missing = Object.freeze([...missing]);
  }
}

/** The plugin's own `createProvider` threw (or rejected) while building a provider: it refused the configuration. */
export class ProviderCreationError extends Error {
  override readonly name = 'ProviderCreationError';
  readonly pluginName: string;
  readonly source: string;
  constructor(pluginName: string, source: string, cause: unknown) {
    super(`plugin "${pluginName}" (${displayPath(source)}): creating a provider failed: ${describeError(cause)}`, {
      cause,
    });
    this.pluginName = pluginName;
    this.source = source;
  }
}

/** Asked for a plugin the registry does not hold. */
export class UnknownPluginError extends Error {
  override readonly name = 'UnknownPluginError';
  readonly pluginName: string;
  constructor(pluginName: string) {
    super(`no plugin named "${pluginName}" is registered`);
    this.pluginName = pluginName;
  }
}

/** `plugins/foo/index.ts: reason` — the line an admin reads in a log. */
export function formatLoadError(error: PluginLoadError): string {
  return `${displayPath(error.path)}: ${error.reason}`;
}

/** Paths inside the working directory are shown relative to it (shorter, still unambiguous). */
export function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

const MAX_REASON_LENGTH = 600;

/**
 * One human line for anything a plugin threw. Compile errors arrive in three shapes
 * (tsx/esbuild `TransformError`, Vite's `Transform failed … [PARSE_ERROR]` under vitest,
 * Node's own `SyntaxError`); they are all reported as `SyntaxError: <message> (<file>:<line>:<col>)`
 * so the reason does not depend on which loader ran the plugin.
 */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) {
    return `threw a non-error value: ${truncate(safeString(error))}`;
  }
  const message = stripAnsi(String(error.message ?? ''));
  const compile = describeCompileError(message);
  if (compile !== undefined) return truncate(compile);
  const name = error.name || error.constructor?.name || 'Error';
  const oneLine = message.replace(/\s*\n\s*/g, ' ').trim();
  return truncate(oneLine === '' ? name : `${name}: ${oneLine}`);
}

function describeCompileError(message: string): string | undefined {
  if (!message.startsWith('Transform failed')) return undefined;
  // esbuild (tsx): "/abs/file.ts:1:13: ERROR: Expected identifier but found "=""
  const esbuild = /^(.+?):(\d+):(\d+): ERROR: (.+)$/m.exec(message);
  if (esbuild) return `SyntaxError: ${esbuild[4]} (${baseName(esbuild[1])}:${esbuild[2]}:${esbuild[3]})`;
  // Vite / Rolldown (vitest): "[PARSE_ERROR] Unexpected token" … "╭─[ ../../tmp/x/bad.ts:1:14 ]"
  const vite = /\[([A-Z_]+)\]\s*(?:Error:\s*)?(.+)$/m.exec(message);
  if (vite) {
    const where = /\[\s*([^\]\s]+?):(\d+):(\d+)\s*\]/.exec(message);
    const at = where ? ` (${baseName(where[1])}:${where[2]}:${where[3]})` : '';
    return `SyntaxError: ${vite[2]!.trim()}${at}`;
  }
  const firstDetail = message.split('\n').map((line) => line.trim()).find((line, i) => i > 0 && line !== '');
  return `SyntaxError: ${firstDetail ?? message}`;
}

function baseName(path: string | undefined): string {
  return (path ?? '').split(/[\\/]/).pop() ?? '';
}

function stripAnsi(text: string): string {
  // Colour codes from Vite's error frames; they would end up in the API and the console.
  return text.replace(/\u001b\[[0-9;]*m/g, '');
}

function truncate(text: string): string {
  return text.length > MAX_REASON_LENGTH ? `${text.slice(0, MAX_REASON_LENGTH - 1)}…` : text;
}

function safeString(value: unknown): string {
  try {
    return typeof value === 'string' ? JSON.stringify(value) : String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}
