import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

/**
 * AES-256-GCM for the local store. A fresh random 12-byte IV per encryption (GCM's
 * recommended nonce size; random nonces are safe far beyond the number of writes a
 * Plugform data dir will ever see), a 16-byte tag, and AAD that binds the ciphertext to
 * where it belongs.
 */

export const ALGORITHM = 'AES-256-GCM';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface SealedBox {
  /** base64 */
  iv: string;
  /** base64 */
  tag: string;
  /** base64 */
  ciphertext: string;
}

export function seal(key: Buffer, plaintext: Buffer, aad: Buffer): SealedBox {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return {
    iv: iv.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
    ciphertext: ciphertext.toString('base64'),
  };
}

/**
 * Returns the plaintext, or undefined when the box does not authenticate (wrong key,
 * modified bytes, wrong AAD). Callers turn that into an error that says which it likely was.
 */
export function open(key: Buffer, box: SealedBox, aad: Buffer): Buffer | undefined {
  const iv = Buffer.from(box.iv, 'base64');
  const tag = Buffer.from(box.tag, 'base64');
  // A short tag would weaken GCM's check; refuse anything but the full 16 bytes.
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(aad);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(Buffer.from(box.ciphertext, 'base64')), decipher.final()]);
  } catch {
    return undefined;
  }
}

/**
 * A short, one-way fingerprint of a key, safe to print: it lets an operator tell which
 * backup holds the right key without the key ever appearing in a message.
 */
export function keyId(key: Buffer): string {
  return createHmac('sha256', key).update('plugform secret key id v1').digest('hex').slice(0, 12);
}

export function isSealedBox(value: unknown): value is SealedBox {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.iv === 'string' && typeof v.tag === 'string' && typeof v.ciphertext === 'string';
}
