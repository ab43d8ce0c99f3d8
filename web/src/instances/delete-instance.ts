import { useNavigate } from '@solidjs/router';
import { createMutation } from '@urql/solid';
import { outcomeOf, type Outcome } from '../api/outcome.ts';
import { showFlash } from '../lib/flash.ts';
import { DeleteInstanceMutation } from './documents.ts';

/**
 * For routes: deletes an instance (at the version the user saw) and, once it is gone, goes
 * back to the list with a confirmation.
 */
export function createDeleteInstance(): (instance: { id: string; name: string; version: number }) => Promise<Outcome<unknown>> {
  const navigate = useNavigate();
  const [, execute] = createMutation(DeleteInstanceMutation);
  return async (instance) => {
    const result = await execute({ id: instance.id, version: instance.version }, { additionalTypenames: ['PluginInstance'] });
    const outcome = outcomeOf(result.data?.deletePluginInstance, result.error);
    if (outcome.kind === 'ok') {
      showFlash(`Deleted “${instance.name}”.`);
      // The instance is gone: an open edit form's unsaved-changes guard has nothing left to protect.
      navigate('/instances', { state: { discardUnsaved: true } });
    }
    return outcome;
  };
}
