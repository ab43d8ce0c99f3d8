/**
 * What a health sweep talks to, each in a thread of its own: the vendor every check calls (it
 * answers in `delayMs` and counts what it received) and the API client that times a query back
 * to back during the sweep. In production neither runs in the server's process; here they would
 * otherwise share its one event loop (with embedded PGlite the server is in the bench's
 * process), their CPU would be counted as the sweep's, and the vendor's 50 ms would stretch
 * whenever the client parses an answer.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

interface PeerOptions {
  delayMs: number;
  /** The API query the client times, and the bearer token it sends. */
  query: string;
  token: string;
}

type Role = 'vendor' | 'client';
type Command = { id: number; kind: 'hits' } | { id: number; kind: 'sample'; url: string; atLeast: number } | { kind: 'stop-sampling' } | { id: number; kind: 'close' };
type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;
type Reply = { id: number; hits: number; byPid: Record<string, number> } | { id: number; samples: number[] } | { id: number; closed: true } | { ready: true; vendorUrl?: string };

export interface SweepPeers {
  /** The vendor's status URL. */
  vendorUrl: string;
  /** Requests the vendor has received so far, in all and by the process id each names (`x-bench-pid`). */
  hits(): Promise<{ hits: number; byPid: Record<string, number> }>;
  /** Times the query at `url` back to back until `until` settles and at least `atLeast` times; each sample in ms. */
  sample(url: string, options: { atLeast: number; until?: Promise<unknown> }): Promise<number[]>;
  close(): Promise<void>;
}

/** One peer thread, and a way to ask it something. */
async function startThread(role: Role, options: PeerOptions) {
  const worker = new Worker(new URL(import.meta.url), { workerData: { peer: { role, ...options } } });
  let nextId = 0;
  const waiting = new Map<number, (reply: Reply) => void>();
  const ready = await new Promise<Extract<Reply, { ready: true }>>((resolve, reject) => {
    worker.once('error', reject);
    worker.on('message', (reply: Reply) => {
      if ('ready' in reply) return resolve(reply);
      waiting.get(reply.id)?.(reply);
      waiting.delete(reply.id);
    });
  });
  const ask = <R extends Reply>(command: WithoutId<Extract<Command, { id: number }>>): Promise<R> => {
    const id = nextId++;
    return new Promise<R>((resolve) => {
      waiting.set(id, resolve as (reply: Reply) => void);
      worker.postMessage({ ...command, id });
    });
  };
  const tell = (command: Extract<Command, { kind: 'stop-sampling' }>) => worker.postMessage(command);
  const close = async () => {
    await ask({ kind: 'close' });
    await worker.terminate();
  };
  return { ready, ask, tell, close };
}

export async function startPeers(options: PeerOptions): Promise<SweepPeers> {
  const [vendor, client] = await Promise.all([startThread('vendor', options), startThread('client', options)]);
  return {
    vendorUrl: vendor.ready.vendorUrl!,
    async hits() {
      const { hits, byPid } = await vendor.ask<Extract<Reply, { hits: number }>>({ kind: 'hits' });
      return { hits, byPid };
    },
    async sample(url, { atLeast, until }) {
      const samples = client.ask<{ id: number; samples: number[] }>({ kind: 'sample', url, atLeast });
      // Stops however `until` ends; its failure is the caller's to see (it awaits it too).
      const stop = () => client.tell({ kind: 'stop-sampling' });
      if (until) until.then(stop, stop);
      else stop();
      return (await samples).samples;
    },
    async close() {
      await Promise.all([vendor.close(), client.close()]);
    },
  };
}

/** A peer thread's side. */
async function runPeer({ role, delayMs, query, token }: PeerOptions & { role: Role }): Promise<void> {
  const port = parentPort!;
  let hits = 0;
  const byPid: Record<string, number> = {};
  const vendor =
    role === 'vendor'
      ? createServer((req, res) => {
          hits++;
          const pid = String(req.headers['x-bench-pid'] ?? 'unknown');
          byPid[pid] = (byPid[pid] ?? 0) + 1;
          setTimeout(() => res.end('{"ok":true}'), delayMs);
        })
      : undefined;
  if (vendor) {
    vendor.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => vendor.listen(0, '127.0.0.1', resolve));
  }
  let sampling = false;

  const timed = async (url: string): Promise<number> => {
    const started = performance.now();
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: query });
    const body = (await response.json()) as { errors?: unknown };
    if (!response.ok || body.errors) throw new Error(`the timed API query failed: HTTP ${response.status} ${JSON.stringify(body).slice(0, 300)}`);
    return performance.now() - started;
  };

  port.on('message', async (command: Command) => {
    switch (command.kind) {
      case 'hits':
        return port.postMessage({ id: command.id, hits, byPid } satisfies Reply);
      case 'stop-sampling':
        sampling = false;
        return;
      case 'sample': {
        sampling = true;
        const samples: number[] = [];
        while (sampling || samples.length < command.atLeast) samples.push(await timed(command.url));
        return port.postMessage({ id: command.id, samples } satisfies Reply);
      }
      case 'close':
        vendor?.closeAllConnections();
        vendor?.close();
        return port.postMessage({ id: command.id, closed: true } satisfies Reply);
    }
  });
  port.postMessage({ ready: true, ...(vendor ? { vendorUrl: `http://127.0.0.1:${(vendor.address() as AddressInfo).port}/status` } : {}) } satisfies Reply);
}

const started = workerData as { peer?: PeerOptions & { role: Role } } | undefined;
if (!isMainThread && started?.peer) await runPeer(started.peer);
