import { Show } from 'solid-js';
import { RelativeTime } from '../ui/RelativeTime.tsx';
import { EnabledSwitch } from './EnabledSwitch.tsx';

export interface OverviewCardProps {
  id: string;
  enabled: boolean;
  version: number;
  createdAt: string;
  updatedAt: string;
  /** Offers the enable/disable switch (operators); others read the state. */
  canToggle: boolean;
  toggling: boolean;
  onToggle: (enabled: boolean) => void;
}

/** Whether the instance runs, and the facts about it: version, dates, id. */
export function OverviewCard(props: OverviewCardProps) {
  return (
    <section class="pf-card" aria-labelledby="overview-title">
      <div class="pf-card__head">
        <h2 id="overview-title">Overview</h2>
      </div>
      <Show when={props.canToggle} fallback={<p>{props.enabled ? 'Enabled' : 'Disabled'}</p>}>
        <EnabledSwitch enabled={props.enabled} busy={props.toggling} onChange={(enabled) => props.onToggle(enabled)} />
      </Show>
      <dl class="pf-facts">
        <div>
          <dt>Version</dt>
          <dd>{props.version}</dd>
        </div>
        <div>
          <dt>Created</dt>
          <dd>
            <RelativeTime iso={props.createdAt} />
          </dd>
        </div>
        <div>
          <dt>Updated</dt>
          <dd>
            <RelativeTime iso={props.updatedAt} />
          </dd>
        </div>
        <div>
          <dt>ID</dt>
          <dd>
            <code class="pf-id" title={props.id}>
              {props.id}
            </code>
          </dd>
        </div>
      </dl>
    </section>
  );
}
