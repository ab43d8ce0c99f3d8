import type { Outcome } from '../api/outcome.ts';
import { ConfirmDialog, createConfirmation } from '../ui/ConfirmDialog.tsx';

/** "Delete" and its confirmation dialog. The route performs the deletion and moves on. */
export function DeleteInstanceButton(props: { name: string; onDelete: () => Promise<Outcome<unknown>> }) {
  const deletion = createConfirmation(() => props.onDelete());
  let button: HTMLButtonElement | undefined;

  return (
    <>
      <button ref={button} type="button" class="pf-button pf-button--danger-ghost" onClick={deletion.show}>
        Delete
      </button>
      <ConfirmDialog
        {...deletion.dialogProps}
        title={`Delete “${props.name}”?`}
        confirmLabel="Delete instance"
        busyLabel="Deleting…"
        returnFocusTo={() => button}
      >
        <p>
          Its provider stops, and its configuration, secrets, health history and audit trail are removed. This cannot be
          undone.
        </p>
      </ConfirmDialog>
    </>
  );
}
