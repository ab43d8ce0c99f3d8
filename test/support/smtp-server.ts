/**
 * A real SMTP server for tests (the `smtp-server` package, the server half of nodemailer's
 * project) on a free loopback port. It requires login, checks the credentials it was given,
 * and captures every delivered message so tests can assert envelope, headers and body.
 *
 * Also here: a self-signed certificate for 127.0.0.1/localhost (shared with the LDAP tests,
 * so no test needs `openssl` at run time), a TCP server that accepts and never speaks (for
 * timeouts) and a port that is certainly closed (for "connection refused").
 */
import { createServer, type AddressInfo, type Server } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** EC P-256, CN=localhost, SAN DNS:localhost + IP:127.0.0.1, valid until 2126. Test use only. */
export const TEST_TLS_CERT = `-----BEGIN CERTIFICATE-----
MIIB2zCCAYGgAwIBAgIUWsuhVfacxM4Xrfy9uF7fm/UrzjMwCgYIKoZIzj0EAwIw
LDESMBAGA1UEAwwJbG9jYWxob3N0MRYwFAYDVQQKDA1QbHVnZm9ybSB0ZXN0MCAX
DTI2MTEyNDIwMzIzNloYDzIxMjYxMDMxMjAzMjM2WjAsMRIwEAYDVQQDDAlsb2Nh
bGhvc3QxFjAUBgNVBAoMDVBsdWdmb3JtIHRlc3QwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAATwaDnmOuVb5pjjoP76He4w9MVlAY2DgqpPFcBBnZOkPrpwsyEdbGor
eQP+l+WBnE4PX5x7P5FinG9LsWLJg9Nmo38wfTAdBgNVHQ4EFgQUiOBRBxM8s7nx
wdhnb2jGPzR++ZMwHwYDVR0jBBgwFoAUiOBRBxM8s7nxwdhnb2jGPzR++ZMwGgYD
VR0RBBMwEYIJbG9jYWxob3N0hwR/AAABMA8GA1UdEwEB/wQFMAMBAf8wDgYDVR0P
AQH/BAQDAgKEMAoGCCqGSM49BAMCA0gAMEUCIAiGwnJmTcoUdlBIsd6qOshUF/oD
qLu68TR/4rrj5vDOAiEAoj4ytDm2SwyhNR/PTdbrtaw/26bpLH4RdYSU8/nsRKg=
-----END CERTIFICATE-----
`;
export const TEST_TLS_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgwjdyZ0xhGLPsA7Er
MgUHL4CNYTV9S/5agNMFyux7hPuhRANCAATwaDnmOuVb5pjjoP76He4w9MVlAY2D
gqpPFcBBnZOkPrpwsyEdbGoreQP+l+WBnE4PX5x7P5FinG9LsWLJg9Nm
-----END PRIVATE KEY-----
`;

export interface CapturedMessage {
  envelope: { from: string; to: string[] };
  /** The DATA section exactly as received (CRLF line ends). */
  raw: string;
  /** Header names lower-cased; folded lines unfolded. */
  headers: Record<string, string>;
  body: string;
  /** The user the session logged in as, if it did. */
  user: string | undefined;
}

export interface SmtpServerOptions {
  /** Accepted logins; an empty object means the server does not offer AUTH at all. */
  users?: Record<string, string>;
  /** `plain`: no TLS at all · `starttls`: offers STARTTLS · `tls`: TLS from the first byte. */
  tls?: 'plain' | 'starttls' | 'tls';
}

export interface TestSmtpServer {
  port: number;
  messages: CapturedMessage[];
  /** Every AUTH attempt the server saw, in order (username and whether it was accepted). */
  logins: { username: string; accepted: boolean }[];
  close(): Promise<void>;
}

export async function startSmtpServer(options: SmtpServerOptions = {}): Promise<TestSmtpServer> {
  const users = options.users ?? {};
  const tls = options.tls ?? 'starttls';
  const messages: CapturedMessage[] = [];
  const logins: TestSmtpServer['logins'] = [];
  const authEnabled = Object.keys(users).length > 0;

  const server = new SMTPServer({
    secure: tls === 'tls',
    key: TEST_TLS_KEY,
    cert: TEST_TLS_CERT,
    disabledCommands: [...(tls === 'starttls' ? [] : ['STARTTLS']), ...(authEnabled ? [] : ['AUTH'])],
    authMethods: ['PLAIN', 'LOGIN'],
    // Plain mode exists to test TLS mode `none`, which must still be able to log in.
    allowInsecureAuth: tls === 'plain',
    authOptional: !authEnabled,
    logger: false,
    onAuth(auth, _session, callback) {
      const username = auth.username ?? '';
      const accepted = username in users && users[username] === auth.password;
      logins.push({ username, accepted });
      if (!accepted) {
        callback(Object.assign(new Error('5.7.8 Authentication credentials invalid'), { responseCode: 535 }));
        return;
      }
      callback(null, { user: username });
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const user = typeof session.user === 'string' ? session.user : undefined;
        messages.push({ ...parseMessage(raw), raw, user, envelope: envelopeOf(session.envelope) });
        callback(null);
      });
    },
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  // Clients that hang up mid-handshake (the TLS mismatch tests) are errors for the server; log nothing.
  server.on('error', () => undefined);
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    messages,
    logins,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function envelopeOf(envelope: { mailFrom: false | { address: string }; rcptTo: { address: string }[] }) {
  return { from: envelope.mailFrom ? envelope.mailFrom.address : '', to: envelope.rcptTo.map((r) => r.address) };
}

function parseMessage(raw: string): { headers: Record<string, string>; body: string } {
  const split = raw.indexOf('\r\n\r\n');
  const head = split === -1 ? raw : raw.slice(0, split);
  const body = split === -1 ? '' : raw.slice(split + 4);
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { headers, body };
}

/** A TCP server that accepts connections and never sends a byte: every client times out. */
export async function startSilentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<import('node:net').Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A loopback port nothing listens on (bound, read, released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
