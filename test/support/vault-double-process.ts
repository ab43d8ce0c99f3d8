/**
 * The Vault KV v2 double (vault-double.ts) as its own process, for tests where several
 * Plugform processes share one secret store (test/support/replicas.ts starts it).
 *
 *   node test/support/vault-double-process.ts
 *
 * Runs with Node's own type stripping (no tsx: it imports only node builtins), so it starts
 * in a fraction of a second. Prints one JSON line on stdout once listening:
 * `{"url": …, "rootToken": …, "controlUrl": …}`. The control server (loopback, its own port)
 * takes `POST /seal`, `POST /unseal`, `POST /hang`, `POST /unhang` and answers
 * `GET /requests` with the number of requests the double received. SIGTERM closes both.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startVaultDouble } from './vault-double.ts';

const vault = await startVaultDouble({ rootToken: process.env['VAULT_DOUBLE_ROOT_TOKEN'] || undefined });

const control = createServer((req, res) => {
  const route = `${req.method} ${req.url}`;
  const done = (body: unknown = { ok: true }) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  if (route === 'POST /seal') return done(void vault.seal());
  if (route === 'POST /unseal') return done(void vault.unseal());
  if (route === 'POST /hang') return done(void vault.hang(true));
  if (route === 'POST /unhang') return done(void vault.hang(false));
  if (route === 'GET /requests') return done({ count: vault.requests.length });
  res.writeHead(404).end();
});
await new Promise<void>((resolve) => control.listen(0, '127.0.0.1', resolve));

const stop = async () => {
  control.closeAllConnections();
  control.close();
  await vault.close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());

process.stdout.write(
  `${JSON.stringify({ url: vault.url, rootToken: vault.rootToken, controlUrl: `http://127.0.0.1:${(control.address() as AddressInfo).port}` })}\n`,
);
