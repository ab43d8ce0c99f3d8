import type { CombinedError } from '@urql/core';
import { errorMessage } from '../api/outcome.ts';
import { Alert } from './Alert.tsx';

/** A query that failed: what, why, and a retry. */
export function LoadFailed(props: { title: string; error: CombinedError | undefined; onRetry: () => void }) {
  return (
    <Alert
      tone="error"
      title={props.title}
      actions={
        <button type="button" class="pf-button pf-button--secondary pf-button--small" onClick={() => props.onRetry()}>
          Try again
        </button>
      }
    >
      {errorMessage(props.error)}
    </Alert>
  );
}
