/**
 * Prometheus metrics of operation calls (prom-client). One registry per server, not the
 * library's global one, so several servers in one process (tests) keep their own counts.
 */
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface CallObservation {
  instanceId: string;
  pluginName: string;
  operation: string;
  outcome: string;
  durationMs: number;
}

export class OperationMetrics {
  readonly registry = new Registry();
  readonly #calls: Counter<'instance' | 'plugin' | 'operation' | 'outcome'>;
  readonly #duration: Histogram<'instance' | 'plugin' | 'operation'>;

  constructor(options: { processMetrics?: boolean } = {}) {
    this.#calls = new Counter({
      name: 'plugform_operation_calls_total',
      help: 'Operation calls by instance, plugin, operation and outcome (success, error, rejected, replayed).',
      labelNames: ['instance', 'plugin', 'operation', 'outcome'],
      registers: [this.registry],
    });
    this.#duration = new Histogram({
      name: 'plugform_operation_duration_seconds',
      help: 'How long operation calls took, including the vendor round trip.',
      labelNames: ['instance', 'plugin', 'operation'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [this.registry],
    });
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'plugform_' });
  }

  observe(call: CallObservation): void {
    this.#calls.inc({ instance: call.instanceId, plugin: call.pluginName, operation: call.operation, outcome: call.outcome });
    // A replay does not reach the vendor: its (tiny) duration would skew the latency.
    if (call.outcome !== 'replayed') {
      this.#duration.observe({ instance: call.instanceId, plugin: call.pluginName, operation: call.operation }, call.durationMs / 1000);
    }
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
