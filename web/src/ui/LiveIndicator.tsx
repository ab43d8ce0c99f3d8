/** Whether live updates are flowing (the health subscription is open). */
export function LiveIndicator(props: { connected: boolean }) {
  return (
    <span
      class="pf-live"
      classList={{ 'pf-live--on': props.connected }}
      title={props.connected ? 'Health changes appear as they happen' : 'Live updates are not connected; reload to retry'}
    >
      <span class="pf-live__dot" aria-hidden="true" />
      {props.connected ? 'Live' : 'Not live'}
    </span>
  );
}
