/**
 * The PostgreSQL gate of the database, instance and replica suites: where PostgreSQL is
 * expected (CI, or a PLUGFORM_TEST_POSTGRES_URL set on purpose) an unreachable server fails
 * the suite; elsewhere its tests are skipped, saying why. Port 1 on loopback refuses at once.
 */
import { describe, expect, it, vi } from 'vitest';
import { postgresGate } from '../../support/postgres.ts';

const UNREACHABLE = 'postgresql://postgres:hunter2-not-shown@127.0.0.1:1/postgres';

describe('postgresGate', () => {
  it('fails when PLUGFORM_TEST_POSTGRES_URL names a server that does not answer', async () => {
    const failure = await postgresGate({ PLUGFORM_TEST_POSTGRES_URL: UNREACHABLE }).then(
      () => undefined,
      (error: unknown) => error as Error,
    );
    expect(failure?.message).toMatch(/127\.0\.0\.1:1.*unreachable.*PLUGFORM_TEST_POSTGRES_URL is set/);
    expect(failure?.message).not.toContain('hunter2');
  });

  it('fails in CI (CI=true) when the server does not answer', async () => {
    await expect(postgresGate({ CI: 'true' }, UNREACHABLE)).rejects.toThrow(/unreachable.*CI requires it/);
  });

  it('skips, saying why, when nobody asked for PostgreSQL and it does not answer', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const gate = await postgresGate({ CI: 'false' }, UNREACHABLE);
      expect(gate.available).toBe(false);
      expect(gate.reason).toMatch(/127\.0\.0\.1:1.*unreachable/);
      expect(gate.reason).not.toContain('hunter2');
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('skipping'));
    } finally {
      warn.mockRestore();
    }
  });
});
