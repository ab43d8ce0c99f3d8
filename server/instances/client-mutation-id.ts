/**
 * Idempotency keys (`clientMutationId`): a change records its key in its audit event, unique
 * per actor, so a retry of an acknowledged change (on any replica) finds it there. Here rather
 * than in audit/ because a reused or malformed key is a ValidationError of the instance rules,
 * and audit/ sits below instances/.
 */
import type { PrismaClient } from '../../prisma/generated/client/client.ts';
import { actorLabel, type Actor } from '../audit/audit-log.ts';
import { ValidationError } from './errors.ts';

const MAX_CLIENT_MUTATION_ID_LENGTH = 200;

/** The key as sent, or undefined when none was; a ValidationError on the key when it is empty or too long. */
export function checkClientMutationId(value: string | null | undefined): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (value.length === 0 || value.length > MAX_CLIENT_MUTATION_ID_LENGTH) {
    throw new ValidationError([
      {
        field: 'clientMutationId',
        rule: 'maxLength',
        message: `clientMutationId must be 1 to ${MAX_CLIENT_MUTATION_ID_LENGTH} characters`,
      },
    ]);
  }
  return value;
}

export interface RecordedChange {
  instanceId: string | null;
  pluginName: string | null;
  details: unknown;
}

/**
 * The event of an earlier change this actor made with this key, when there was one; a key
 * used for a different change (another action, or `matches` says another target) is a
 * ValidationError on the key.
 */
export async function findKeyedChange(
  db: PrismaClient,
  actor: Actor,
  clientMutationId: string,
  action: string,
  matches: (event: RecordedChange) => boolean,
): Promise<RecordedChange | undefined> {
  const event = await db.auditEvent.findFirst({ where: { actor: actorLabel(actor), clientMutationId } });
  if (!event) return undefined;
  if (event.action !== action || !matches(event)) {
    throw new ValidationError([
      {
        field: 'clientMutationId',
        rule: 'reused',
        message: 'This clientMutationId was already used for a different change; send a new one for a new change',
      },
    ]);
  }
  return event;
}
