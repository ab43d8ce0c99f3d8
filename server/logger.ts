/**
 * One line per event on stderr: `level message {details}`. Small on purpose: the server
 * logs little, and tests capture lines through a custom sink to prove no secret is logged.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(message: string, details?: Record<string, unknown>): void;
  info(message: string, details?: Record<string, unknown>): void;
  warn(message: string, details?: Record<string, unknown>): void;
  error(message: string, details?: Record<string, unknown>): void;
  /** A logger that prefixes every message with `scope: `. */
  child(scope: string): Logger;
}

export interface LoggerOptions {
  level?: LogLevel;
  sink?: (line: string) => void;
}

export function createLogger(options: LoggerOptions = {}, scope = ''): Logger {
  const threshold = LEVELS[options.level ?? 'info'];
  const sink = options.sink ?? ((line: string) => process.stderr.write(`${line}\n`));
  const emit = (level: LogLevel) => (message: string, details?: Record<string, unknown>) => {
    if (LEVELS[level] < threshold) return;
    const text = scope ? `${scope}: ${message}` : message;
    sink(details && Object.keys(details).length > 0 ? `${level} ${text} ${safeJson(details)}` : `${level} ${text}`);
  };
  return {
    debug: emit('debug'),
    info: emit('info'),
    warn: emit('warn'),
    error: emit('error'),
    child: (child) => createLogger(options, scope ? `${scope}.${child}` : child),
  };
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return '[unserialisable details]';
  }
}

/** A logger that drops everything (for tools and tests that do not care). */
export const silentLogger: Logger = createLogger({ sink: () => undefined });
