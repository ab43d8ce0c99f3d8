/**
 * Resolving secret references on the machine that runs the CLI: `${env:NAME}` from its
 * environment, `vault:<path>#<key>` from Vault when VAULT_ADDR and VAULT_TOKEN are set (a
 * KV v2 path reads `data.data`, KV v1 `data`). A reference that cannot be resolved stays a
 * reference: the server then keeps the stored value. Values are only ever sent to the server.
 */
import type { ConfigurationDocument } from '../instances/configuration-document.ts';
import { parseReference } from '../instances/configuration-document.ts';
import { CliError } from './api.ts';

type Env = Record<string, string | undefined>;

export async function resolveReferences(document: ConfigurationDocument, env: Env): Promise<ConfigurationDocument> {
  const vault = vaultReader(env);
  const instances = [];
  for (const instance of document.instances) {
    const secrets: ConfigurationDocument['instances'][number]['secrets'] = {};
    for (const [key, entry] of Object.entries(instance.secrets)) {
      const value = entry.ref === undefined ? undefined : await resolve(entry.ref, env, vault);
      secrets[key] = value === undefined ? entry : { ...entry, value };
    }
    instances.push({ ...instance, secrets });
  }
  return { ...document, instances };
}

async function resolve(ref: string, env: Env, vault: ReturnType<typeof vaultReader>): Promise<string | undefined> {
  const reference = parseReference(ref);
  if (!reference) return undefined;
  if (reference.kind === 'env') {
    const value = env[reference.name];
    return value === undefined || value === '' ? undefined : value;
  }
  return vault ? vault(reference.path, reference.key) : undefined;
}

function vaultReader(env: Env) {
  const addr = env['VAULT_ADDR']?.replace(/\/+$/, '');
  const token = env['VAULT_TOKEN'];
  if (!addr || !token) return undefined;
  const cache = new Map<string, Promise<Record<string, unknown> | undefined>>();
  const read = (path: string) => {
    let pending = cache.get(path);
    if (!pending) {
      pending = fetch(`${addr}/v1/${path}`, {
        headers: { 'X-Vault-Token': token, ...(env['VAULT_NAMESPACE'] ? { 'X-Vault-Namespace': env['VAULT_NAMESPACE'] } : {}) },
        signal: AbortSignal.timeout(10_000),
      }).then(async (response) => {
        if (response.status === 404) return undefined; // no such secret: unresolved, the stored value is kept
        if (!response.ok) throw new CliError(`Vault answered ${response.status} for ${path}: check VAULT_ADDR, VAULT_TOKEN and the path`);
        const body = (await response.json()) as { data?: { data?: Record<string, unknown> } & Record<string, unknown> };
        return body.data?.data ?? body.data;
      });
      cache.set(path, pending);
    }
    return pending;
  };
  return async (path: string, key: string): Promise<string | undefined> => {
    const data = await read(path);
    const value = data?.[key];
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
}
