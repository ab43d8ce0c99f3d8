/**
 * Plugins return results from code we do not control. These guards turn whatever came back
 * into a well-formed result, and scrub the instance's secret values from it, so a malformed
 * or careless result can neither break the API nor leak a secret.
 */
import { HealthStatus, redact, type HealthReport, type TestReport } from '../../plugins/sdk/index.ts';

const STATUSES: readonly string[] = Object.values(HealthStatus);

/**
 * The longest message a result carries. Plugins copy vendor text into their messages (an
 * error page, an echoed request); past this it is cut, so a hostile vendor cannot fill the
 * health history or the API's answers.
 */
export const MAX_RESULT_MESSAGE_LENGTH = 500;
/** The longest string inside a result's details, for the same reason. */
export const MAX_DETAIL_STRING_LENGTH = 500;

/** A result message: secrets removed first (so the cut cannot leave half of one), then capped. */
export function resultMessage(text: string, secrets: readonly string[]): string {
  return cap(redact(text, secrets), MAX_RESULT_MESSAGE_LENGTH);
}

function cap(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}… (${text.length - max} more characters cut)` : text;
}

export function normalizeTestReport(value: unknown, pluginName: string, secrets: readonly string[]): TestReport {
  const report = value as Partial<TestReport> | null | undefined;
  if (typeof report !== 'object' || report === null || typeof report.success !== 'boolean') {
    return { success: false, message: `${pluginName}: testConnection returned a malformed result (expected { success, message })` };
  }
  return {
    success: report.success,
    message: resultMessage(typeof report.message === 'string' ? report.message : report.success ? 'Connection succeeded' : 'Connection failed', secrets),
    ...detailsOf(report.details, secrets),
  };
}

export function normalizeHealthReport(value: unknown, pluginName: string, secrets: readonly string[]): HealthReport {
  const report = value as Partial<HealthReport> | null | undefined;
  if (typeof report !== 'object' || report === null || typeof report.status !== 'string' || !STATUSES.includes(report.status)) {
    return {
      status: 'unhealthy',
      message: `${pluginName}: healthCheck returned a malformed result (expected { status: ${STATUSES.join(' | ')}, message })`,
    };
  }
  return {
    status: report.status,
    message: resultMessage(typeof report.message === 'string' ? report.message : report.status, secrets),
    ...detailsOf(report.details, secrets),
  };
}

function detailsOf(details: unknown, secrets: readonly string[]): { details?: Record<string, unknown> } {
  if (typeof details !== 'object' || details === null || Array.isArray(details)) return {};
  try {
    // A JSON round trip drops functions and cycles would throw: details must be plain data.
    const redacted = redact(JSON.parse(JSON.stringify(details)) as Record<string, unknown>, secrets);
    return { details: capStrings(redacted) as Record<string, unknown> };
  } catch {
    return { details: { note: 'details were not serialisable and were dropped' } };
  }
}

function capStrings(node: unknown): unknown {
  if (typeof node === 'string') return cap(node, MAX_DETAIL_STRING_LENGTH);
  if (Array.isArray(node)) return node.map(capStrings);
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, capStrings(value)]));
}
