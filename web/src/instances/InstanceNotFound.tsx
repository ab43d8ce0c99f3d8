import { A } from '@solidjs/router';
import { EmptyState } from '../ui/EmptyState.tsx';

/** An instance address that leads nowhere (deleted, or a bad link). */
export function InstanceNotFound() {
  return (
    <EmptyState
      icon="search"
      title="This instance does not exist"
      action={
        <A href="/instances" class="pf-button pf-button--secondary">
          All instances
        </A>
      }
    >
      It may have been deleted.
    </EmptyState>
  );
}
