import { AlertDialog } from '@kobalte/core/alert-dialog';
import { createSignal, Show, type JSX } from 'solid-js';
import type { Outcome } from '../api/outcome.ts';

export interface ConfirmDialogProps {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  title: string;
  children: JSX.Element;
  confirmLabel: string;
  busyLabel?: string;
  busy?: boolean;
  /** Why the last attempt failed, shown inside the dialog. */
  error?: string | undefined;
  /** Where focus goes when the dialog closes (the button that opened it), while it is still in the page. */
  returnFocusTo?: () => HTMLElement | undefined;
  onConfirm: () => void;
}

/**
 * A destructive action's confirmation: Kobalte's AlertDialog (focus trapped inside, Escape
 * cancels). Cancel has the initial focus, so Enter never destroys by accident. The dialog is
 * opened by a plain button of the caller (not Kobalte's Trigger), so Kobalte has no trigger
 * to return focus to: `returnFocusTo` names it, else focus would fall to <body>.
 */
export function ConfirmDialog(props: ConfirmDialogProps) {
  let cancel: HTMLButtonElement | undefined;
  return (
    <AlertDialog open={props.open} onOpenChange={props.onOpenChange}>
      <AlertDialog.Portal>
        <AlertDialog.Overlay class="pf-dialog__overlay" />
        <div class="pf-dialog__positioner">
          <AlertDialog.Content
            class="pf-dialog"
            onOpenAutoFocus={(event) => {
              event.preventDefault();
              cancel?.focus();
            }}
            onCloseAutoFocus={(event) => {
              const target = props.returnFocusTo?.();
              if (!target?.isConnected) return;
              event.preventDefault();
              target.focus();
            }}
          >
            <AlertDialog.Title class="pf-dialog__title">{props.title}</AlertDialog.Title>
            <AlertDialog.Description as="div" class="pf-dialog__description">
              {props.children}
            </AlertDialog.Description>
            <Show when={props.error}>
              <p class="pf-dialog__error" role="alert">
                {props.error}
              </p>
            </Show>
            <div class="pf-dialog__actions">
              {/* Kobalte names its close button "Dismiss"; the name must contain the visible word (label in name). */}
              <AlertDialog.CloseButton ref={cancel} class="pf-button pf-button--secondary" aria-label="Cancel" disabled={props.busy}>
                Cancel
              </AlertDialog.CloseButton>
              <button type="button" class="pf-button pf-button--danger" disabled={props.busy} onClick={() => props.onConfirm()}>
                {props.busy ? (props.busyLabel ?? 'Working…') : props.confirmLabel}
              </button>
            </div>
          </AlertDialog.Content>
        </div>
      </AlertDialog.Portal>
    </AlertDialog>
  );
}

/**
 * The state of a confirmed action: the dialog's open flag, the action's busy flag and its
 * error. `confirm` runs the action and closes the dialog when it succeeds (then `onDone`);
 * `dialogProps` are the ConfirmDialog props that follow from it (it cannot be closed while
 * busy, and closing it forgets the error).
 */
export function createConfirmation(action: () => Promise<Outcome<unknown>>, onDone?: () => void) {
  const [open, setOpen] = createSignal(false);
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<string>();
  const confirm = async () => {
    setBusy(true);
    setError(undefined);
    const outcome = await action();
    setBusy(false);
    if (outcome.kind !== 'ok') return setError(outcome.message);
    onDone?.();
    setOpen(false);
  };
  return {
    show: () => setOpen(true),
    // Getters, so a spread of it into ConfirmDialog stays reactive.
    dialogProps: {
      get open() {
        return open();
      },
      get busy() {
        return busy();
      },
      get error() {
        return error();
      },
      onOpenChange: (next: boolean) => {
        if (busy()) return;
        setOpen(next);
        if (!next) setError(undefined);
      },
      onConfirm: () => void confirm(),
    },
  };
}
