/**
 * What the server needs of scheduled health checks, whoever runs them: the single-process
 * scheduler (scheduler.ts, embedded PGlite: one process by nature) or the cluster's job queue
 * on PostgreSQL (cluster-scheduler.ts, pg-boss: each check runs once in the cluster).
 */
export interface ScheduledHealthChecks {
  /** `process`: this process checks every instance it runs; `cluster`: replicas share a queue. */
  readonly mode: 'process' | 'cluster';
  start(): Promise<void>;
  /**
   * Stops taking new checks, lets the running ones finish (at most `graceMs`) and hands back
   * what it holds, so another replica takes it over at once. Safe to call twice.
   */
  stop(graceMs?: number): Promise<void>;
  /**
   * Checks every live instance once, now, and resolves with how many were checked once all
   * are done (bench/health-fanout measures one sweep).
   */
  sweep(): Promise<number>;
}
