import type { InstanceStatus } from '../gql/graphql.ts';
import { STATUS_LABELS } from '../lib/labels.ts';

/** The lifecycle status of an instance: active, inactive (disabled) or error. */
export function StatusPill(props: { status: InstanceStatus; title?: string | null | undefined }) {
  return (
    <span class={`pf-badge pf-status pf-status--${props.status.toLowerCase()}`} title={props.title ?? undefined}>
      {STATUS_LABELS[props.status]}
    </span>
  );
}
