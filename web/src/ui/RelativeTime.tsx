import { Show } from 'solid-js';
import { now } from '../lib/clock.ts';
import { formatDateTime, formatRelative } from '../lib/time.ts';

/** "5 min ago" with the exact time as its tooltip and machine-readable datetime. */
export function RelativeTime(props: { iso: string | null | undefined; fallback?: string }) {
  return (
    <Show when={props.iso} fallback={<span class="pf-muted">{props.fallback ?? 'Never'}</span>}>
      {(iso) => (
        <time datetime={iso()} title={formatDateTime(iso(), { seconds: true })}>
          {formatRelative(iso(), now())}
        </time>
      )}
    </Show>
  );
}
