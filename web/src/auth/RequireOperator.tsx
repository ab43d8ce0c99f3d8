import { Show, type ParentProps } from 'solid-js';
import { Alert } from '../ui/Alert.tsx';
import { Loading } from '../ui/Loading.tsx';
import { useCanOperate, useViewer } from './viewer.ts';

/** Renders its children only for roles that may change instances; explains otherwise. */
export function RequireOperator(props: ParentProps<{ action: string }>) {
  const viewer = useViewer();
  const canOperate = useCanOperate();
  return (
    <Show when={viewer()} fallback={<Loading />}>
      <Show
        when={canOperate()}
        fallback={
          <Alert tone="info" title="Read-only access">
            Your token's role ({viewer()?.role.toLowerCase()}) cannot {props.action}. Ask an operator or admin.
          </Alert>
        }
      >
        {props.children}
      </Show>
    </Show>
  );
}
