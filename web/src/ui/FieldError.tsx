import { ErrorLine } from '../form/FieldShell.tsx';

/** A field's error message, styled like the form renderer's (icon, colour), for fields outside ConfigForm. */
export function FieldError(props: { id: string; message: string }) {
  return (
    <div class="pf-field__error" id={props.id}>
      <ErrorLine message={props.message} />
    </div>
  );
}
