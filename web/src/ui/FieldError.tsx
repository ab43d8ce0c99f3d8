/** A field's error message, styled like the form renderer's (icon, colour), for fields outside ConfigForm. */
export function FieldError(props: { id: string; message: string }) {
  return (
    <div class="pf-field__error" id={props.id}>
      <p>
        <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true">
          <circle cx="8" cy="8" r="7" fill="currentColor" />
          <path d="M8 4.5v4.5M8 11.2v.3" stroke="#fff" stroke-width="1.8" stroke-linecap="round" />
        </svg>
        {props.message}
      </p>
    </div>
  );
}
