import { Tooltip } from '@kobalte/core/tooltip';
import { For } from 'solid-js';

/**
 * The ⓘ next to a label, for help too long to show under the field: Kobalte's Tooltip,
 * opened by hover or by keyboard focus (so it is reachable without a mouse) and closed with
 * Escape. Screen readers get the same text through the field's own aria-describedby, so
 * the tooltip is a visual aid. Short help is shown under the field instead (FieldShell).
 */
export function HelpTip(props: { label: string; texts: readonly string[] }) {
  return (
    <Tooltip openDelay={300} closeDelay={100} placement="top">
      <Tooltip.Trigger type="button" class="pf-help" aria-label={`More about ${props.label}`}>
        <svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true">
          <circle cx="8" cy="8" r="7" fill="none" stroke="currentColor" stroke-width="1.5" />
          <path d="M8 7v4.5" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" />
          <circle cx="8" cy="4.75" r="0.95" fill="currentColor" />
        </svg>
      </Tooltip.Trigger>
      <Tooltip.Portal>
        <Tooltip.Content class="pf-tooltip">
          <Tooltip.Arrow class="pf-tooltip__arrow" />
          <For each={props.texts}>{(text) => <p>{text}</p>}</For>
        </Tooltip.Content>
      </Tooltip.Portal>
    </Tooltip>
  );
}
