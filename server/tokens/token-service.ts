/**
 * API tokens for automation and the console. A token is shown once, when it is created;
 * only its SHA-256 hash is stored, with a short prefix so people can tell tokens apart.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FieldError, PluginType } from '../../plugins/sdk/index.ts';
import type { Prisma, PrismaClient } from '../../prisma/generated/client/client.ts';
import { OPERATION_NAMES, operationsOfType } from '../operations/catalog.ts';
import type { OperationScope } from '../operations/scopes.ts';
import { EventEmitter } from 'node:events';
import { NotFoundError, ValidationError } from '../instances/errors.ts';
import { actorOf, recordAudit, type Actor } from '../audit/audit-log.ts';
import { checkClientMutationId, findKeyedChange } from '../instances/client-mutation-id.ts';
import { textProblem } from '../instances/input-limits.ts';
import type { Logger } from '../logger.ts';
import { isRole, type Principal, type Role } from '../access/roles.ts';

const TOKEN_PREFIX = 'pf_';
/** Token names: what a person types, trimmed, like instance names. */
const MAX_NAME_LENGTH = 100;
/** How often `lastUsedAt` is written for a busy token. */
const LAST_USED_RESOLUTION_MS = 60_000;
/** Authenticated tokens remembered at most (the oldest are forgotten first). */
const TOKEN_CACHE_MAX_ENTRIES = 10_000;
/** pg_advisory_xact_lock key of the admin bootstrap (any constant no other lock uses). */
const BOOTSTRAP_LOCK_KEY = 72707401;

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function generateToken(): string {
  return `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/** What is shown of a token after creation: enough to recognise it, useless to an attacker. */
export function tokenPrefix(token: string): string {
  return token.slice(0, TOKEN_PREFIX.length + 6);
}

export interface TokenServiceOptions {
  /** `pluginTypes` tells a plugin's type, to check the operations a scope names. */
  pluginTypes?: (pluginName: string) => PluginType | undefined;
  /**
   * How long an authenticated token's principal is remembered, by its hash (0: never). A
   * revocation forgets it at once on this replica; other replicas forget it when the
   * revocation's announcement arrives (`forget`), so the TTL only bounds a missed one.
   */
  cacheTtlMs?: number;
}

interface CachedPrincipal {
  principal: Principal;
  expiresAt: number;
}

export class TokenService {
  readonly #prisma: PrismaClient;
  readonly #logger: Logger;
  readonly #lastUsedWrites = new Map<string, number>();
  /** Token hash → principal, for `cacheTtlMs`. Unknown and revoked tokens are never cached. */
  readonly #cache = new Map<string, CachedPrincipal>();
  readonly #cacheTtlMs: number;
  /** Bumped by every `forget`: a lookup that started before one does not fill the cache. */
  #forgetEpoch = 0;
  /** `revoked` fires with the token's id once it is revoked, so open sessions can end. */
  readonly revocations = new EventEmitter<{ revoked: [tokenId: string] }>();

  readonly #pluginTypes: ((pluginName: string) => PluginType | undefined) | undefined;

  constructor(prisma: PrismaClient, logger: Logger, options: TokenServiceOptions = {}) {
    this.#prisma = prisma;
    this.#logger = logger;
    this.#pluginTypes = options.pluginTypes;
    this.#cacheTtlMs = options.cacheTtlMs ?? 0;
  }

  /**
   * A token of `role`; with `scopes` it is a service token that may call only the listed
   * operations of the listed instances and nothing else (its role must be operator).
   * `creator` is the caller, recorded so the token list says who made it; the creation is in
   * the audit trail (who made it, its id, name and role).
   */
  /**
   * Mints a token; its value is returned this once. With a `clientMutationId`, a retry of a
   * create that landed mints no second token (its value cannot be shown again): it is a
   * ValidationError on the key naming the token that was made (by id, never its value).
   */
  async create(
    name: string,
    role: Role,
    scopes?: readonly OperationScope[] | null,
    creator?: Principal,
    clientMutationIdInput?: string | null,
  ): Promise<{ token: string; id: string }> {
    const clientMutationId = checkClientMutationId(clientMutationIdInput);
    const trimmed = name.trim();
    if (!trimmed) throw new ValidationError([{ field: 'name', rule: 'required', message: 'Token name is required' }]);
    const problem = textProblem(trimmed);
    if (problem) throw new ValidationError([{ field: 'name', rule: 'text', message: `Token name ${problem}` }]);
    if (trimmed.length > MAX_NAME_LENGTH) {
      throw new ValidationError([{ field: 'name', rule: 'maxLength', message: `Token name must be at most ${MAX_NAME_LENGTH} characters` }]);
    }
    if (!isRole(role)) throw new ValidationError([{ field: 'role', rule: 'enum', message: 'Unknown role' }]);
    const actor: Actor = creator ? actorOf(creator) : 'system';
    const alreadyCreated = async () => {
      if (!clientMutationId) return;
      const event = await findKeyedChange(this.#prisma, actor, clientMutationId, 'token.create', (e) => {
        const details = e.details as { name?: unknown; role?: unknown } | null;
        return details?.name === trimmed && details.role === role;
      });
      if (!event) return;
      const tokenId = String((event.details as { tokenId?: unknown }).tokenId);
      throw new ValidationError([
        {
          field: 'clientMutationId',
          rule: 'alreadyCreated',
          message:
            `This clientMutationId already created token ${tokenId}; its value was shown only once, so no second token is made. ` +
            'If the value was lost, revoke that token and create a new one with a new clientMutationId',
        },
      ]);
    };
    await alreadyCreated();
    const checked = scopes ? await this.#checkScopes(role, scopes) : null;
    const token = generateToken();
    const row = await this.#prisma.$transaction(async (tx) => {
      const created = await tx.apiToken.create({
        data: {
          name: trimmed,
          role,
          prefix: tokenPrefix(token),
          hash: hashToken(token),
          ...(checked ? { operationScopes: checked as unknown as Prisma.InputJsonArray } : {}),
          ...(creator ? { createdById: creator.tokenId, createdByName: creator.tokenName } : {}),
        },
      });
      await recordAudit(tx, {
        actor,
        action: 'token.create',
        details: { tokenId: created.id, name: trimmed, role },
        ...(clientMutationId ? { clientMutationId } : {}),
      });
      return created;
    }).catch(async (error: unknown) => {
      // Two retries raced: the other one's audit event took the key; answer as a retry.
      await alreadyCreated();
      throw error;
    });
    return { token, id: row.id };
  }

  /** Scopes name existing instances and operations their plugin type offers. */
  async #checkScopes(role: Role, scopes: readonly OperationScope[]): Promise<OperationScope[]> {
    const errors: FieldError[] = [];
    if (role !== 'operator') errors.push({ field: 'role', rule: 'serviceRole', message: 'A token with scopes is a service token: its role must be OPERATOR' });
    if (scopes.length === 0) errors.push({ field: 'scopes', rule: 'required', message: 'scopes must name at least one instance (omit scopes for an unrestricted token)' });
    const checked: OperationScope[] = [];
    for (const [i, scope] of scopes.entries()) {
      const instance = await this.#prisma.pluginInstance.findUnique({ where: { id: scope.instanceId }, select: { pluginName: true } });
      if (!instance) {
        errors.push({ field: `scopes[${i}].instanceId`, rule: 'exists', message: `scopes[${i}].instanceId names no plugin instance` });
        continue;
      }
      const type = this.#pluginTypes?.(instance.pluginName);
      const offered = type ? operationsOfType(type).map((o) => o.name) : OPERATION_NAMES;
      const unknown = scope.operations.filter((op) => op !== '*' && !offered.includes(op));
      if (scope.operations.length === 0) errors.push({ field: `scopes[${i}].operations`, rule: 'required', message: `scopes[${i}].operations must name at least one operation (or "*")` });
      if (unknown.length > 0) {
        errors.push({
          field: `scopes[${i}].operations`,
          rule: 'enum',
          message: `scopes[${i}].operations: ${unknown.map((op) => JSON.stringify(op.slice(0, 60))).join(', ')} not offered by this instance (it offers ${offered.join(', ')})`,
        });
      }
      checked.push({ instanceId: scope.instanceId, operations: [...new Set(scope.operations)] });
    }
    if (errors.length > 0) throw new ValidationError(errors, `Invalid token: ${errors.map((e) => e.message).join('; ')}`);
    return checked;
  }

  /**
   * The principal behind a bearer token, or null for an unknown or revoked token. A known
   * token is remembered by its hash for `cacheTtlMs`, so a busy client costs one hash per
   * request, not a database round trip; a revocation forgets it at once (`forget`).
   */
  async authenticate(token: string): Promise<Principal | null> {
    const hash = hashToken(token);
    const now = Date.now();
    const cached = this.#cache.get(hash);
    if (cached && cached.expiresAt > now) {
      await this.#recordUse(cached.principal.tokenId, now);
      return cached.principal;
    }
    if (cached) this.#cache.delete(hash);
    const epoch = this.#forgetEpoch;
    const row = await this.#prisma.apiToken.findUnique({ where: { hash } });
    // The lookup is by hash already; the constant-time compare guards the equality itself.
    if (!row || row.revokedAt || !timingSafeEqual(Buffer.from(row.hash), Buffer.from(hash)) || !isRole(row.role)) return null;
    const principal: Principal = { tokenId: row.id, tokenName: row.name, role: row.role, scopes: scopesOf(row.operationScopes) };
    // A revocation heard while the row was read may be newer than the row: not cached then.
    if (this.#cacheTtlMs > 0 && epoch === this.#forgetEpoch) {
      if (this.#cache.size >= TOKEN_CACHE_MAX_ENTRIES) this.#cache.delete(this.#cache.keys().next().value!);
      this.#cache.set(hash, { principal, expiresAt: now + this.#cacheTtlMs });
    }
    await this.#recordUse(row.id, now);
    return principal;
  }

  /** Writes `lastUsedAt` at most once a minute per token (a write per request would be waste). */
  async #recordUse(tokenId: string, now: number): Promise<void> {
    if (now - (this.#lastUsedWrites.get(tokenId) ?? 0) <= LAST_USED_RESOLUTION_MS) return;
    this.#lastUsedWrites.set(tokenId, now);
    await this.#prisma.apiToken.update({ where: { id: tokenId }, data: { lastUsedAt: new Date(now) } });
  }

  /**
   * Forgets what this replica remembers of a token (every token without an id): the next
   * request with it reads the database again. Called on revocation, here and on every replica
   * that hears of it, and after the bus reconnects (announcements may have been missed).
   */
  forget(tokenId?: string): void {
    this.#forgetEpoch++;
    if (tokenId === undefined) {
      this.#cache.clear();
      return;
    }
    for (const [hash, entry] of this.#cache) if (entry.principal.tokenId === tokenId) this.#cache.delete(hash);
  }

  /** Which of these tokens are revoked now (another replica may have revoked them). */
  async revokedAmong(ids: readonly string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const rows = await this.#prisma.apiToken.findMany({ where: { id: { in: [...ids] }, revokedAt: { not: null } }, select: { id: true } });
    return rows.map((row) => row.id);
  }

  list() {
    return this.#prisma.apiToken.findMany({ orderBy: { createdAt: 'asc' } });
  }

  /** Revokes a token (once: revoking it again changes and records nothing). */
  async revoke(id: string, actor: Actor = 'system') {
    const row = await this.#prisma.apiToken.findUnique({ where: { id } });
    if (!row) throw new NotFoundError('API token', id);
    if (row.revokedAt) return row;
    const revoked = await this.#prisma.$transaction(async (tx) => {
      const updated = await tx.apiToken.update({ where: { id }, data: { revokedAt: new Date() } });
      await recordAudit(tx, { actor, action: 'token.revoke', details: { tokenId: id, name: row.name, role: row.role } });
      return updated;
    });
    // Refused from the very next request on this replica; the others hear it on the bus.
    this.forget(id);
    this.revocations.emit('revoked', id);
    return revoked;
  }

  /**
   * Makes sure an admin can get in: `PLUGFORM_ADMIN_TOKEN` is registered as an admin token;
   * without it, the first start (no active admin token yet) generates one and prints it once.
   *
   * Replicas start together on one database: the whole decision runs under one transaction-level
   * advisory lock, so however many start at once, exactly one generates (and prints) a token and
   * the others see it; registering PLUGFORM_ADMIN_TOKEN never races into a duplicate either.
   */
  async seedAdmin(adminToken: string | undefined, announce: (line: string) => void): Promise<void> {
    const generated = await this.#prisma.$transaction(
      async (tx) => {
        await tx.$queryRawUnsafe('SELECT 1 AS locked FROM pg_advisory_xact_lock($1)', BOOTSTRAP_LOCK_KEY);
        if (adminToken) {
          const hash = hashToken(adminToken);
          const existing = await tx.apiToken.findUnique({ where: { hash } });
          if (!existing) {
            await tx.apiToken.create({ data: { name: 'admin (PLUGFORM_ADMIN_TOKEN)', role: 'admin', prefix: tokenPrefix(adminToken), hash } });
            this.#logger.info('registered PLUGFORM_ADMIN_TOKEN as an admin token');
          } else if (existing.revokedAt || existing.role !== 'admin') {
            this.#logger.warn('PLUGFORM_ADMIN_TOKEN matches a revoked or non-admin token; it grants no admin access');
          }
          return undefined;
        }
        const admins = await tx.apiToken.count({ where: { role: 'admin', revokedAt: null } });
        if (admins > 0) return undefined;
        const token = generateToken();
        await tx.apiToken.create({ data: { name: 'admin (generated at first start)', role: 'admin', prefix: tokenPrefix(token), hash: hashToken(token) } });
        return token;
      },
      // Other replicas wait here for the one holding the lock; the work itself is two queries.
      { maxWait: 30_000, timeout: 30_000 },
    );
    if (!generated) return;
    // Printed only after the commit: a token that was never stored is never shown.
    announce(
      [
        '',
        '  An admin API token was generated. It is shown this once; store it now:',
        '',
        `    ${generated}`,
        '',
        '  Sign in to the console with it, or send it as "Authorization: Bearer <token>".',
        '',
      ].join('\n'),
    );
  }
}

/** The stored scopes of a service token (null for the other tokens). */
export function scopesOf(stored: unknown): OperationScope[] | null {
  if (!Array.isArray(stored)) return null;
  return stored.filter(
    (s): s is OperationScope =>
      typeof s === 'object' && s !== null && typeof s.instanceId === 'string' && Array.isArray(s.operations) && s.operations.every((o: unknown) => typeof o === 'string'),
  );
}
