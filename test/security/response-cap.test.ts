/**
 * Vendor response bodies are streamed with a cap (PLUGFORM_VENDOR_RESPONSE_MAX_BYTES): a
 * vendor that streams forever, or announces a huge body, gets a clear error and its
 * connection dropped, for every built-in plugin that talks HTTP, in a connection test and in an
 * operation of a saved instance alike, so memory stays bounded.
 * The vendors here are real servers that write as fast as the client reads; what they managed
 * to send before the client hung up proves the client stopped reading.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.ts';
import { OUTBOUND_CALLS, fetchPluginCases, listenOnLoopback, testUnsaved } from './support.ts';

const CAP = 64 * 1024;
/** Loopback socket buffers can take a few MiB before the writer notices a reader that stopped. */
const MOST_A_DROPPED_VENDOR_GETS_OUT = 32 * 1024 * 1024;

interface EndlessVendor {
  url: string;
  /** Bytes written per connection, and whether the client closed it. */
  connections: { written: number; closed: Promise<void> }[];
  close(): Promise<void>;
}

/** Answers 200 with a JSON-looking body that never ends (chunked, no length). */
async function startEndlessVendor(): Promise<EndlessVendor> {
  const connections: EndlessVendor['connections'] = [];
  const chunk = Buffer.alloc(16 * 1024, 'a');
  const server: Server = createServer((req, res) => {
    const record = { written: 0, closed: new Promise<void>((resolve) => res.once('close', () => resolve())) };
    connections.push(record);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"ok":true,"padding":"');
    const pump = () => {
      while (!res.destroyed) {
        record.written += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
    };
    req.resume();
    pump();
  });
  return { ...(await listenOnLoopback(server)), connections };
}

let server: TestServer;
let endless: EndlessVendor;
let announced: Server;
let announcedUrl = '';
let announcedBodyBytes = 0;

beforeAll(async () => {
  [server, endless] = await Promise.all([startTestServer({ env: { PLUGFORM_VENDOR_RESPONSE_MAX_BYTES: String(CAP) } }), startEndlessVendor()]);
  // Announces 1 GiB and sends a little: the client must refuse from the header alone.
  announced = createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(1024 ** 3) });
    res.write('{"ok":true');
    announcedBodyBytes += 10;
  });
  await new Promise<void>((resolve) => announced.listen(0, '127.0.0.1', resolve));
  announcedUrl = `http://127.0.0.1:${(announced.address() as AddressInfo).port}`;
});
afterAll(async () => {
  announced?.closeAllConnections();
  announced?.close();
  await Promise.all([server?.close(), endless?.close()]);
});

describe.each(OUTBOUND_CALLS)('a vendor that streams forever: $label', (call) => {
  for (const plugin of fetchPluginCases()) {
    it(`${plugin.label}: the body is cut at the cap with a clear error and the connection dropped`, async () => {
      const before = endless.connections.length;
      const failure = await call.failure(server, plugin, endless.url);

      expect(failure).toContain(`is larger than ${CAP} bytes (PLUGFORM_VENDOR_RESPONSE_MAX_BYTES); the connection was dropped`);
      const mine = endless.connections.slice(before);
      expect(mine.length).toBeGreaterThan(0);
      for (const connection of mine) {
        await connection.closed;
        expect(connection.written).toBeLessThan(MOST_A_DROPPED_VENDOR_GETS_OUT);
      }
    });
  }
});

describe('a vendor that announces a body larger than the cap', () => {
  it('is refused from its Content-Length, before the body is read', async () => {
    const webhook = fetchPluginCases().find((c) => c.pluginName === 'webhook')!;
    const outcome = await testUnsaved(server, 'webhook', webhook.configuration(announcedUrl));
    expect(outcome.data?.success).toBe(false);
    expect(outcome.data?.message).toContain(`is larger than ${CAP} bytes`);
    expect(announcedBodyBytes).toBeGreaterThan(0);
  });
});
