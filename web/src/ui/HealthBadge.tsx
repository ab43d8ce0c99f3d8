import type { HealthStatus } from '../gql/graphql.ts';
import { HEALTH_LABELS } from '../lib/labels.ts';

/** A health status as a coloured dot and a word (never colour alone). */
export function HealthBadge(props: { status: HealthStatus; title?: string | undefined }) {
  return (
    <span class={`pf-badge pf-health pf-health--${props.status.toLowerCase()}`} title={props.title}>
      <span class="pf-health__dot" aria-hidden="true" />
      {HEALTH_LABELS[props.status]}
    </span>
  );
}
