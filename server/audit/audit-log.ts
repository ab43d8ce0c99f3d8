/**
 * The audit trail: who did what to which instance (or token), and which keys it touched,
 * never their values. Changes are recorded in the transaction that makes them; tests,
 * on-demand checks and token changes, which change no instance row, are recorded on their own.
 */
import type { Prisma, PrismaClient } from '../../prisma/generated/client/client.ts';
import type { Principal } from '../access/roles.ts';
import type { Logger } from '../logger.ts';

/** Who did it: an API token (by id and name: a name can be reused, an id cannot) or `system`. */
export type Actor = string | { readonly tokenId: string; readonly tokenName: string };

/** How a principal appears in the audit trail. */
export function actorOf(principal: Principal | null): Actor {
  return principal ? { tokenId: principal.tokenId, tokenName: principal.tokenName } : 'anonymous';
}

/** The actor as people read it: `token:ci-bot`, `system`. */
export function actorLabel(actor: Actor): string {
  return typeof actor === 'string' ? actor : `token:${actor.tokenName}`;
}

export interface AuditEntry {
  /** Chosen by the caller when it must find the event again (a save checking its commit). */
  id?: string;
  /** The caller's idempotency key of the change (unique per actor). */
  clientMutationId?: string;
  actor: Actor;
  /** `instance.update`, `instance.test`, `token.create` … */
  action: string;
  instance?: { id: string; pluginName: string; name: string };
  /** Without an instance: the plugin it is about (an unsaved test). */
  pluginName?: string;
  changedKeys?: readonly string[];
  /** Names and outcomes only; never a configuration value. */
  details?: Prisma.InputJsonObject;
}

export async function recordAudit(db: Prisma.TransactionClient | PrismaClient, entry: AuditEntry): Promise<void> {
  const { actor, instance } = entry;
  await db.auditEvent.create({
    data: {
      ...(entry.id ? { id: entry.id } : {}),
      ...(entry.clientMutationId ? { clientMutationId: entry.clientMutationId } : {}),
      actor: actorLabel(actor),
      actorTokenId: typeof actor === 'string' ? null : actor.tokenId,
      action: entry.action,
      instanceId: instance?.id ?? null,
      pluginName: instance?.pluginName ?? entry.pluginName ?? null,
      changedKeys: [...(entry.changedKeys ?? [])],
      details: entry.details ?? (instance ? { name: instance.name } : {}),
    },
  });
}

/**
 * For a record of something already done (a test that ran, a check that was made): what was
 * done is reported to the caller even if its record cannot be written; the log says so.
 */
export async function recordAuditOrLog(db: PrismaClient, entry: AuditEntry, logger: Logger): Promise<void> {
  await recordAudit(db, entry).catch((error: unknown) =>
    logger.error('could not record an action in the audit trail', {
      action: entry.action,
      reason: error instanceof Error ? error.message : String(error),
    }),
  );
}
