import { Tooltip } from '@kobalte/core/tooltip';
import { Show } from 'solid-js';

/**
 * The ⓘ next to a label: Kobalte's Tooltip, opened by hover or by keyboard focus (so it is
 * reachable without a mouse) and closed with Escape. Screen readers get the same text
 * through the field's own aria-describedby, so the tooltip is a visual aid.
 */
export function HelpTip(props: { label: string; description?: string | undefined; help?: string | undefined }) {
  return (
    <Show when={props.description || props.help}>
      <Tooltip openDelay={300} closeDelay={100} placement="top">
        <Tooltip.Trigger type="button" class="pf-help" aria-label={`About ${props.label}`}>
          <svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true">
            <circle cx="8" cy="8" r="7" fill="none" stroke="currentColor" stroke-width="1.5" />
            <path d="M8 7v4.5" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" />
            <circle cx="8" cy="4.75" r="0.95" fill="currentColor" />
          </svg>
        </Tooltip.Trigger>
        <Tooltip.Portal>
          <Tooltip.Content class="pf-tooltip">
            <Tooltip.Arrow class="pf-tooltip__arrow" />
            <Show when={props.description}>
              <p class="pf-tooltip__description">{props.description}</p>
            </Show>
            <Show when={props.help}>
              <p class="pf-tooltip__help">{props.help}</p>
            </Show>
          </Tooltip.Content>
        </Tooltip.Portal>
      </Tooltip>
    </Show>
  );
}
