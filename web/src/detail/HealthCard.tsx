import { Show } from 'solid-js';
import { LiveIndicator } from '../ui/LiveIndicator.tsx';
import { HealthPanel, type HealthPanelProps } from './HealthPanel.tsx';

export interface HealthCardProps extends HealthPanelProps {
  live: boolean;
  /** Offers "Check now" (operators, enabled instances of plugins with health checks). */
  canCheck: boolean;
  checking: boolean;
  /** The outcome of the last "Check now", announced to screen readers. */
  checkNote: string | undefined;
  /** The last live change, in words ("Health changed to Healthy: …"), announced politely. */
  announcement: string;
  onCheck: () => void;
}

/** The health section of an instance: live indicator, "Check now", then the panel. */
export function HealthCard(props: HealthCardProps) {
  return (
    <section class="pf-card" aria-labelledby="health-title">
      <div class="pf-card__head">
        <h2 id="health-title">Health</h2>
        <LiveIndicator connected={props.live} />
        <Show when={props.canCheck}>
          <button
            type="button"
            class="pf-button pf-button--secondary pf-button--small pf-card__action"
            disabled={props.checking}
            onClick={() => props.onCheck()}
          >
            {props.checking ? 'Checking…' : 'Check now'}
          </button>
        </Show>
      </div>
      <p class="pf-sr-only" role="status">
        {props.checkNote}
      </p>
      {/* Present from the start (empty), so screen readers pick up each change written into it. */}
      <p class="pf-sr-only" aria-live="polite" aria-atomic="true" data-testid="health-announcer">
        {props.announcement}
      </p>
      <HealthPanel
        status={props.status}
        since={props.since}
        lastCheckAt={props.lastCheckAt}
        history={props.history}
        supportsHealthCheck={props.supportsHealthCheck}
      />
    </section>
  );
}
