/**
 * An attacker's listener on loopback: a raw TCP server that records every connection and every
 * byte it is sent, whatever the protocol (HTTP, SMTP, LDAP …). Security tests point a
 * destination field at it and then assert that it received nothing, or nothing secret.
 *
 * It speaks just enough of each protocol that a client sends what it would send a real peer:
 * - `http`: answers every request `200 {}` (so a client that would send a body does);
 * - `smtp`: greets with `220` and accepts every command (so a client reaches `AUTH`);
 * - `silent`: accepts and never answers (LDAP clients send their bind at once).
 */
import { createServer, type Socket } from 'node:net';

export type AttackerProtocol = 'http' | 'smtp' | 'silent';

export interface Attacker {
  host: string;
  port: number;
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** How many connections were accepted. */
  readonly connections: number;
  /** Everything received so far, all connections concatenated, as latin1 text. */
  received(): string;
  /** True when `needle` (or its base64 form) appears in anything received. */
  saw(needle: string): boolean;
  close(): Promise<void>;
}

export async function startAttacker(protocol: AttackerProtocol = 'http'): Promise<Attacker> {
  const chunks: Buffer[] = [];
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createServer((socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    if (protocol === 'smtp') socket.write('220 attacker ESMTP\r\n');
    let pending = '';
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      if (protocol === 'http') {
        pending += chunk.toString('latin1');
        if (pending.includes('\r\n\r\n')) {
          pending = '';
          socket.write('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}');
          socket.end();
        }
      } else if (protocol === 'smtp') {
        for (const line of chunk.toString('latin1').split('\r\n').filter(Boolean)) {
          if (/^EHLO/i.test(line)) socket.write('250-attacker\r\n250 AUTH PLAIN LOGIN\r\n');
          else if (/^AUTH PLAIN$/i.test(line)) socket.write('334 \r\n');
          else socket.write('250 OK\r\n');
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('attacker listener has no port');
  const received = () => Buffer.concat(chunks).toString('latin1');
  return {
    host: '127.0.0.1',
    port: address.port,
    url: `http://127.0.0.1:${address.port}`,
    get connections() {
      return connections;
    },
    received,
    saw(needle: string) {
      const text = received();
      return text.includes(needle) || text.includes(Buffer.from(needle).toString('base64'));
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
