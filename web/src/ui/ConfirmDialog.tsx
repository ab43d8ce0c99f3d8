import { AlertDialog } from '@kobalte/core/alert-dialog';
import { Show, type JSX } from 'solid-js';

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
