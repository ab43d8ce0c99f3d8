/**
 * Plugins return results from code we do not control. These guards turn whatever came back
 * into a well-formed result, and scrub the instance's secret values from it, so a malformed
 * or careless result can neither break the API nor leak a secret.
 */
import { HealthStatus, redact, type HealthReport, type TestReport } from '../../plugins/sdk/index.ts';

const STATUSES: readonly string[] = Object.values(HealthStatus);

export function normalizeTestReport(value: unknown, pluginName: string, secrets: readonly string[]): TestReport {
  const report = value as Partial<TestReport> | null | undefined;
  if (typeof report !== 'object' || report === null || typeof report.success !== 'boolean') {
    return { success: false, message: `${pluginName}: testConnection returned a malformed result (expected { success, message })` };
  }
  return {
    success: report.success,
    message: redact(typeof report.message === 'string' ? report.message : report.success ? 'Connection succeeded' : 'Connection failed', secrets),
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
    message: redact(typeof report.message === 'string' ? report.message : report.status, secrets),
    ...detailsOf(report.details, secrets),
  };
}

function detailsOf(details: unknown, secrets: readonly string[]): { details?: Record<string, unknown> } {
  if (typeof details !== 'object' || details === null || Array.isArray(details)) return {};
  try {
    // A JSON round trip drops functions and cycles would throw: details must be plain data.
    return { details: redact(JSON.parse(JSON.stringify(details)) as Record<string, unknown>, secrets) };
  } catch {
    return { details: { note: 'details were not serialisable and were dropped' } };
  }
}
