import { Show, type ParentProps } from 'solid-js';
import { Alert } from '../ui/Alert.tsx';
import { Loading } from '../ui/Loading.tsx';
import { useViewer } from './viewer.ts';

/** Renders its children for admins only; explains to anyone else (the API refuses them anyway). */
export function RequireAdmin(props: ParentProps<{ what: string }>) {
  const viewer = useViewer();
  return (
    <Show when={viewer()} fallback={<Loading />}>
      {(current) => (
        <Show
          when={current().role === 'ADMIN'}
          fallback={
            <Alert tone="info" title="Admins only">
              {props.what} are managed by admins; your token's role is {current().role.toLowerCase()}.
            </Alert>
          }
        >
          {props.children}
        </Show>
      )}
    </Show>
  );
}
