/**
 * API tokens for automation and the console. A token is shown once, when it is created;
 * only its SHA-256 hash is stored, with a short prefix so people can tell tokens apart.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { PrismaClient } from '../../prisma/generated/client/client.ts';
import { NotFoundError, ValidationError } from '../instances/errors.ts';
import type { Logger } from '../logger.ts';
import { isRole, type Principal, type Role } from './roles.ts';

const TOKEN_PREFIX = 'pf_';
/** How often `lastUsedAt` is written for a busy token (a write per request would be waste). */
const LAST_USED_RESOLUTION_MS = 60_000;

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

export class TokenService {
  readonly #prisma: PrismaClient;
  readonly #logger: Logger;
  readonly #lastUsedWrites = new Map<string, number>();
  /** `revoked` fires with the token's id once it is revoked, so open sessions can end. */
  readonly revocations = new EventEmitter<{ revoked: [tokenId: string] }>();

  constructor(prisma: PrismaClient, logger: Logger) {
    this.#prisma = prisma;
    this.#logger = logger;
  }

  async create(name: string, role: Role): Promise<{ token: string; id: string }> {
    const trimmed = name.trim();
    if (!trimmed) throw new ValidationError([{ field: 'name', rule: 'required', message: 'Token name is required' }]);
    if (!isRole(role)) throw new ValidationError([{ field: 'role', rule: 'enum', message: `Unknown role "${String(role)}"` }]);
    const token = generateToken();
    const row = await this.#prisma.apiToken.create({ data: { name: trimmed, role, prefix: tokenPrefix(token), hash: hashToken(token) } });
    return { token, id: row.id };
  }

  /** The principal behind a bearer token, or null for an unknown or revoked token. */
  async authenticate(token: string): Promise<Principal | null> {
    const hash = hashToken(token);
    const row = await this.#prisma.apiToken.findUnique({ where: { hash } });
    // The lookup is by hash already; the constant-time compare guards the equality itself.
    if (!row || row.revokedAt || !timingSafeEqual(Buffer.from(row.hash), Buffer.from(hash)) || !isRole(row.role)) return null;
    const now = Date.now();
    if (now - (this.#lastUsedWrites.get(row.id) ?? 0) > LAST_USED_RESOLUTION_MS) {
      this.#lastUsedWrites.set(row.id, now);
      await this.#prisma.apiToken.update({ where: { id: row.id }, data: { lastUsedAt: new Date(now) } });
    }
    return { tokenId: row.id, tokenName: row.name, role: row.role };
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

  async revoke(id: string) {
    const row = await this.#prisma.apiToken.findUnique({ where: { id } });
    if (!row) throw new NotFoundError('API token', id);
    if (row.revokedAt) return row;
    const revoked = await this.#prisma.apiToken.update({ where: { id }, data: { revokedAt: new Date() } });
    this.revocations.emit('revoked', id);
    return revoked;
  }

  /**
   * Makes sure an admin can get in: `PLUGFORM_ADMIN_TOKEN` is registered as an admin token;
   * without it, the first start (no active admin token yet) generates one and prints it once.
   */
  async seedAdmin(adminToken: string | undefined, announce: (line: string) => void): Promise<void> {
    if (adminToken) {
      const hash = hashToken(adminToken);
      const existing = await this.#prisma.apiToken.findUnique({ where: { hash } });
      if (!existing) {
        await this.#prisma.apiToken.create({
          data: { name: 'admin (PLUGFORM_ADMIN_TOKEN)', role: 'admin', prefix: tokenPrefix(adminToken), hash },
        });
        this.#logger.info('registered PLUGFORM_ADMIN_TOKEN as an admin token');
      } else if (existing.revokedAt || existing.role !== 'admin') {
        this.#logger.warn('PLUGFORM_ADMIN_TOKEN matches a revoked or non-admin token; it grants no admin access');
      }
      return;
    }
    const admins = await this.#prisma.apiToken.count({ where: { role: 'admin', revokedAt: null } });
    if (admins > 0) return;
    const { token } = await this.create('admin (generated at first start)', 'admin');
    announce(
      [
        '',
        '  An admin API token was generated. It is shown this once; store it now:',
        '',
        `    ${token}`,
        '',
        '  Sign in to the console with it, or send it as "Authorization: Bearer <token>".',
        '',
      ].join('\n'),
    );
  }
}
