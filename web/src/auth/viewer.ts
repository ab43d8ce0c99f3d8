import { createContext, useContext, type Accessor } from 'solid-js';
import type { ViewerQuery as ViewerData } from '../gql/graphql.ts';
import { canOperate } from '../lib/labels.ts';

export type Viewer = ViewerData['viewer'];

/** Who is signed in (undefined while it loads). Provided by the signed-in layout. */
export const ViewerContext = createContext<Accessor<Viewer | undefined>>(() => undefined);

export function useViewer(): Accessor<Viewer | undefined> {
  return useContext(ViewerContext);
}

/** Whether the signed-in token may create, change, test and delete instances. */
export function useCanOperate(): Accessor<boolean> {
  const viewer = useViewer();
  return () => canOperate(viewer()?.role);
}
