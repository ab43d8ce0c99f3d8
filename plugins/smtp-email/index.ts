/**
 * Email over SMTP: sends notifications through any SMTP server with nodemailer.
 *
 * One transporter per provider; nodemailer opens a connection per message (no pool), so a
 * provider holds no socket between sends and `stop()` has nothing long-lived to close.
 * Connection test and health check both run `transporter.verify()`: connect, greet, upgrade
 * TLS as configured and log in — a cheap authenticated round trip that sends no mail.
 */
import { createTransport } from 'nodemailer';
import { definePlugin } from '../sdk/index.ts';
import type {
  ConfigOf,
  FieldSpec,
  HealthReport,
  NotificationMessage,
  NotificationProvider,
  NotificationResult,
  PluginContext,
  TestReport,
} from '../sdk/index.ts';

const fields = [
  {
    key: 'host',
    label: 'SMTP host',
    type: 'STRING',
    destination: true,
    required: true,
    minLength: 1,
    maxLength: 253,
    pattern: '^[A-Za-z0-9.:\\[\\]-]+$',
    placeholder: 'smtp.example.com',
    helpText: 'Host name or IP address of the outgoing mail server.',
    group: 'Server',
    order: 1,
  },
  {
    key: 'port',
    label: 'Port',
    type: 'INTEGER',
    destination: true,
    default: 587,
    minValue: 1,
    maxValue: 65535,
    helpText: '587 for STARTTLS (submission), 465 for implicit TLS, 25 for unencrypted relays.',
    group: 'Server',
    order: 2,
  },
  {
    key: 'tlsMode',
    label: 'TLS mode',
    type: 'SELECT',
    destination: true,
    default: 'starttls',
    options: [
      { value: 'starttls', label: 'STARTTLS (required)', description: 'Connect in plain text, then upgrade; refuses servers that cannot upgrade.' },
      { value: 'tls', label: 'Implicit TLS', description: 'TLS from the first byte, usually port 465.' },
      { value: 'none', label: 'None (plain text)', description: 'Never encrypt. Only for relays on a trusted network.' },
    ],
    group: 'Server',
    order: 3,
  },
  {
    key: 'username',
    label: 'Username',
    type: 'STRING',
    maxLength: 256,
    helpText: 'Leave empty for servers that accept mail without login (a local relay).',
    group: 'Authentication',
    order: 1,
  },
  {
    key: 'password',
    label: 'Password',
    type: 'SECRET',
    maxLength: 1024,
    helpText: 'Password or app password of the username above.',
    group: 'Authentication',
    order: 2,
  },
  {
    key: 'fromAddress',
    label: 'From address',
    type: 'EMAIL',
    required: true,
    placeholder: 'notifications@example.com',
    helpText: 'The sender address; most servers only accept addresses the account owns.',
    group: 'Sender',
    order: 1,
  },
  {
    key: 'fromName',
    label: 'From name',
    type: 'STRING',
    maxLength: 128,
    placeholder: 'Example Notifications',
    group: 'Sender',
    order: 2,
  },
  {
    key: 'replyTo',
    label: 'Reply-to address',
    type: 'EMAIL',
    helpText: 'Where replies go when they should not go to the from address.',
    group: 'Sender',
    order: 3,
  },
  {
    key: 'timeoutMs',
    label: 'Timeout (ms)',
    type: 'INTEGER',
    default: 10_000,
    minValue: 100,
    maxValue: 120_000,
    helpText: 'How long to wait to connect and for the greeting; an answer to a command may take twice as long.',
    group: 'Advanced',
    order: 1,
  },
  {
    key: 'allowSelfSigned',
    label: 'Allow self-signed certificates',
    type: 'BOOLEAN',
    destination: true,
    default: false,
    helpText: 'Skip certificate verification. Only for internal servers with their own certificate; it allows interception.',
    group: 'Advanced',
    order: 2,
  },
] as const satisfies readonly FieldSpec[];

export type SmtpEmailConfig = ConfigOf<typeof fields>;

export default definePlugin({
  name: 'smtp-email',
  displayName: 'Email (SMTP)',
  type: 'NOTIFICATION',
  version: '1.0.0',
  description: 'Send email notifications through any SMTP server.',
  author: 'Plugform',
  homepage: 'https://nodemailer.com/smtp/',
  tags: ['email', 'smtp', 'notification'],
  groups: ['Server', 'Authentication', 'Sender', 'Advanced'],
  fields,
  supportsHealthCheck: true,
  supportsTestConnection: true,
  createProvider: (config, context) => createSmtpProvider(config, context),
});

type Transporter = ReturnType<typeof createTransportFor>;

function createSmtpProvider(config: SmtpEmailConfig, context: PluginContext): NotificationProvider<SmtpEmailConfig> {
  checkCredentialsPair(config);
  const transporter: Transporter = createTransportFor(config, context);

  /** Runs `verify()` and turns the outcome into a message without secrets. */
  async function verify(): Promise<{ ok: true } | { ok: false; message: string; code: string }> {
    try {
      await transporter.verify();
      return { ok: true };
    } catch (error) {
      return { ok: false, ...describeSmtpError(error, config) };
    }
  }

  return {
    async sendNotification(message: NotificationMessage): Promise<NotificationResult> {
      const mail = composeMail(config, message);
      try {
        const info = await transporter.sendMail(mail);
        context.logger.info('email sent', { messageId: info.messageId, accepted: info.accepted.length });
        return {
          success: info.rejected.length === 0,
          messageId: info.messageId,
          details: { accepted: addressesOf(info.accepted), rejected: addressesOf(info.rejected), response: info.response },
        };
      } catch (error) {
        const { message: reason, code } = describeSmtpError(error, config);
        context.logger.warn('email not sent', { reason, code });
        return { success: false, details: { error: reason, code } };
      }
    },

    async testConnection() {
      const result = await verify();
      const endpoint = endpointDetails(config);
      const report: TestReport = result.ok
        ? { success: true, message: `Connected to ${endpoint.host}:${endpoint.port} and ${loginPhrase(config)}`, details: endpoint }
        : { success: false, message: result.message, details: { ...endpoint, code: result.code } };
      return report;
    },

    async healthCheck() {
      const result = await verify();
      const endpoint = endpointDetails(config);
      const report: HealthReport = result.ok
        ? { status: 'healthy', message: 'SMTP server accepts connections and login', details: endpoint }
        : { status: 'unhealthy', message: result.message, details: { ...endpoint, code: result.code } };
      return report;
    },

    stop() {
      transporter.close();
    },
  };
}

/** A username without password (or the reverse) is always a mistake; say so at save time. */
function checkCredentialsPair(config: SmtpEmailConfig): void {
  const hasUser = Boolean(config.username);
  const hasPassword = Boolean(config.password);
  if (hasUser && !hasPassword) throw new Error('Password is required when a username is set');
  if (!hasUser && hasPassword) throw new Error('Username is required when a password is set');
}

function createTransportFor(config: SmtpEmailConfig, context: PluginContext) {
  const timeout = config.timeoutMs;
  return createTransport({
    // Every connection is opened by the platform's egress gate, which checks the address it
    // connects; nodemailer then speaks SMTP (and TLS, for 'tls' and STARTTLS) over it.
    getSocket: (_options, callback) => {
      const socket = context.egress.connect({ host: config.host, port: config.port });
      const onError = (error: Error) => callback(error, false);
      socket.once('error', onError);
      socket.once('connect', () => {
        socket.removeListener('error', onError);
        callback(null, { connection: socket });
      });
    },
    host: config.host,
    port: config.port,
    // `secure` means TLS from the first byte; STARTTLS is an upgrade of a plain connection.
    secure: config.tlsMode === 'tls',
    requireTLS: config.tlsMode === 'starttls',
    ignoreTLS: config.tlsMode === 'none',
    auth: config.username && config.password ? { user: config.username, pass: config.password } : undefined,
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    // The idle timer must outlast the greeting timer: if both fired together, a server that
    // never greets (the usual sign of a TLS mode mismatch) would report a vague idle timeout.
    socketTimeout: timeout * 2,
    dnsTimeout: timeout,
    tls: { rejectUnauthorized: !config.allowSelfSigned, minVersion: 'TLSv1.2' },
    // nodemailer's own logger would print the AUTH exchange; our log lines go through context.logger.
    logger: false,
    debug: false,
  });
}

// RFC 5321 allows more, but a notification recipient is one plain address: no display
// name, no list, no line breaks that could smuggle headers.
const RECIPIENT = /^[^\s@<>(),;:"\\]+@[^\s@<>(),;:"\\]+\.[^\s@<>(),;:"\\]+$/;

function composeMail(config: SmtpEmailConfig, message: NotificationMessage) {
  if (!RECIPIENT.test(message.recipient)) {
    throw new Error(`recipient must be one email address (got ${JSON.stringify(message.recipient.slice(0, 80))})`);
  }
  const html = message.metadata?.['html'];
  return {
    from: config.fromName ? { name: config.fromName, address: config.fromAddress } : config.fromAddress,
    to: message.recipient,
    replyTo: config.replyTo || undefined,
    subject: message.subject ?? '',
    text: message.message,
    html: typeof html === 'string' ? html : undefined,
  };
}

function addressesOf(list: readonly (string | { address: string })[]): string[] {
  return list.map((entry) => (typeof entry === 'string' ? entry : entry.address));
}

function endpointDetails(config: SmtpEmailConfig) {
  return { host: config.host, port: config.port, tlsMode: config.tlsMode };
}

function loginPhrase(config: SmtpEmailConfig): string {
  return config.username ? `logged in as ${config.username}` : 'the server accepts mail without login';
}

/** The fields of a nodemailer error we read; everything else about it is left alone. */
interface SmtpErrorShape {
  message: string;
  code?: string;
  originalCode?: string;
  responseCode?: number;
}

function asSmtpError(error: unknown): SmtpErrorShape {
  if (!(error instanceof Error)) return { message: String(error) };
  const text = (key: string): string | undefined => {
    const value: unknown = Reflect.get(error, key);
    return typeof value === 'string' ? value : undefined;
  };
  const responseCode: unknown = Reflect.get(error, 'responseCode');
  return {
    message: error.message,
    code: text('code'),
    originalCode: text('originalCode'),
    responseCode: typeof responseCode === 'number' ? responseCode : undefined,
  };
}

/**
 * Turns what nodemailer or the socket reported into a sentence an admin can act on. The
 * server's own words are kept where they help, with any secret value masked first.
 */
export function describeSmtpError(error: unknown, config: SmtpEmailConfig): { message: string; code: string } {
  const e = asSmtpError(error);
  const where = `${config.host}:${config.port}`;
  const text = redact(e.message, config);
  const system = e.originalCode ?? e.code ?? '';
  const result = (code: string, message: string) => ({ code, message });

  if (error instanceof Error && error.name === 'EgressBlockedError') return result('EGRESS_BLOCKED', `Not allowed to connect to ${where}: ${text}`);

  if (e.code === 'EAUTH') {
    if (e.responseCode === 535) return result('AUTH_FAILED', `Authentication failed at ${where}: the server rejected the username or password (535)`);
    return result('AUTH_FAILED', `Authentication failed at ${where}: ${text}`);
  }
  if (system === 'ECONNREFUSED') return result('CONNECTION_REFUSED', `Connection refused by ${where}: nothing listens on that port`);
  if (system === 'ENOTFOUND' || system === 'EAI_AGAIN' || e.code === 'EDNS') return result('HOST_NOT_FOUND', `Host ${config.host} could not be resolved`);
  if (isTlsMismatch(e)) {
    const hint = config.tlsMode === 'tls'
      ? "the server does not speak TLS on this port; use TLS mode 'starttls' (port 587) or 'none'"
      : "the server expects TLS from the first byte; use TLS mode 'tls' (port 465)";
    return result('TLS_MISMATCH', `TLS handshake with ${where} failed: ${hint}`);
  }
  if (isCertificateProblem(e)) {
    // Node appends advice about its own flags after a semicolon; keep only the reason.
    const reason = text.split(';')[0];
    return result('TLS_CERTIFICATE', `The certificate of ${where} is not trusted (${reason}); fix the certificate or enable "Allow self-signed certificates"`);
  }
  if (e.code === 'ETLS' || /STARTTLS/i.test(e.message)) {
    return result('TLS_UNAVAILABLE', `${where} does not offer STARTTLS: ${text}; choose TLS mode 'tls' or 'none'`);
  }
  if (e.code === 'ETIMEDOUT' || system === 'ETIMEDOUT') {
    const greeting = /greeting/i.test(e.message);
    const hint = greeting && config.tlsMode !== 'tls' ? "; if the port expects TLS from the first byte (465), use TLS mode 'tls'" : '';
    return result('TIMEOUT', `Timed out after ${config.timeoutMs} ms waiting for ${where} (${greeting ? 'no greeting' : 'no answer'})${hint}`);
  }
  if (e.code === 'EENVELOPE') return result('RECIPIENT_REJECTED', `The server refused the message envelope: ${text}`);
  if (e.code === 'EMESSAGE') return result('MESSAGE_REJECTED', `The server refused the message: ${text}`);
  return result(e.code ?? 'ERROR', `SMTP error with ${where}: ${text}`);
}

// A plain-text SMTP greeting read as a TLS record, or a TLS ClientHello answered in plain text.
function isTlsMismatch(e: SmtpErrorShape): boolean {
  return /wrong version number|packet length too long|unknown protocol|http request|record layer failure|ERR_SSL/i.test(`${e.message} ${e.originalCode ?? ''}`)
    && !isCertificateProblem(e);
}

function isCertificateProblem(e: SmtpErrorShape): boolean {
  return /self[- ]signed|unable to verify|certificate|CERT_/i.test(`${e.message} ${e.originalCode ?? ''}`);
}

/** Masks the password wherever it appears, in plain text or base64 (as AUTH PLAIN sends it). */
function redact(text: string, config: SmtpEmailConfig): string {
  const secret = config.password;
  if (!secret) return text;
  let out = text.split(secret).join('***');
  const encoded = Buffer.from(secret).toString('base64').replace(/=+$/, '');
  if (encoded.length >= 4) out = out.split(encoded).join('***');
  return out;
}
