/** A placeholder while a screen's data loads, announced to screen readers once. */
export function Loading(props: { label?: string }) {
  return (
    <div class="pf-loading" role="status" aria-live="polite">
      <span class="pf-spinner" aria-hidden="true" />
      {props.label ?? 'Loading…'}
    </div>
  );
}
