/**
 * Signed download links for stored files: `/api/v1/downloads/<payload>.<signature>`, where the
 * payload names the instance, the key and the expiry, and the signature is an HMAC-SHA256 of
 * it. The link itself is the credential (for a browser or a tool without a token), so it is
 * short-lived; every replica with the same key accepts it.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const DOWNLOAD_PATH = '/api/v1/downloads/';

export interface DownloadTarget {
  instanceId: string;
  key: string;
}

export class DownloadLinks {
  readonly #key: Buffer;
  readonly #ttlMs: number;
  readonly #now: () => number;

  constructor(options: { key: Buffer; ttlMs: number; now?: () => number }) {
    this.#key = options.key;
    this.#ttlMs = options.ttlMs;
    this.#now = options.now ?? Date.now;
  }

  /** The path (to append to the server's URL) and when it stops working. */
  sign(target: DownloadTarget): { path: string; expiresAt: string } {
    const expires = this.#now() + this.#ttlMs;
    const payload = Buffer.from(JSON.stringify({ i: target.instanceId, k: target.key, e: expires })).toString('base64url');
    return { path: `${DOWNLOAD_PATH}${payload}.${this.#signature(payload)}`, expiresAt: new Date(expires).toISOString() };
  }

  /** The target of a link's token (the part after DOWNLOAD_PATH), or why it is refused. */
  verify(token: string): { ok: true; target: DownloadTarget } | { ok: false; reason: string } {
    const [payload, signature, ...rest] = token.split('.');
    if (!payload || !signature || rest.length > 0) return { ok: false, reason: 'malformed download link' };
    const expected = Buffer.from(this.#signature(payload));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, reason: 'invalid download link signature' };
    let parsed: { i?: unknown; k?: unknown; e?: unknown };
    try {
      parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as typeof parsed;
    } catch {
      return { ok: false, reason: 'malformed download link' };
    }
    if (typeof parsed.i !== 'string' || typeof parsed.k !== 'string' || typeof parsed.e !== 'number') return { ok: false, reason: 'malformed download link' };
    if (parsed.e < this.#now()) return { ok: false, reason: 'this download link has expired; ask for a new one' };
    return { ok: true, target: { instanceId: parsed.i, key: parsed.k } };
  }

  #signature(payload: string): string {
    return createHmac('sha256', this.#key).update(payload).digest('base64url');
  }
}
