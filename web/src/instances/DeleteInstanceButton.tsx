import { createSignal } from 'solid-js';
import type { Outcome } from '../api/outcome.ts';
import { ConfirmDialog } from '../ui/ConfirmDialog.tsx';

/** "Delete" and its confirmation dialog. The route performs the deletion and moves on. */
export function DeleteInstanceButton(props: { name: string; onDelete: () => Promise<Outcome<unknown>> }) {
  const [open, setOpen] = createSignal(false);
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<string>();
  let button: HTMLButtonElement | undefined;

  const confirm = async () => {
    setBusy(true);
    setError(undefined);
    const outcome = await props.onDelete();
    setBusy(false);
    if (outcome.kind === 'ok') setOpen(false);
    else setError(outcome.message);
  };

  return (
    <>
      <button ref={button} type="button" class="pf-button pf-button--danger-ghost" onClick={() => setOpen(true)}>
        Delete
      </button>
      <ConfirmDialog
        open={open()}
        onOpenChange={(next) => {
          if (busy()) return;
          setOpen(next);
          if (!next) setError(undefined);
        }}
        title={`Delete “${props.name}”?`}
        confirmLabel="Delete instance"
        busyLabel="Deleting…"
        busy={busy()}
        error={error()}
        returnFocusTo={() => button}
        onConfirm={() => void confirm()}
      >
        <p>
          Its provider stops, and its configuration, secrets, health history and audit trail are removed. This cannot be
          undone.
        </p>
      </ConfirmDialog>
    </>
  );
}
