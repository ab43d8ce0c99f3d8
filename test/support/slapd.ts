/**
 * A real OpenLDAP server for tests: Debian's `slapd` (apt packages `slapd` and `ldap-utils`),
 * started with its own configuration in a temporary directory on a free loopback port — never
 * the system instance.
 *
 * Setup, as the OpenLDAP admin guide describes for cn=config:
 *   1. `slapadd -n 0 -F <dir>/config -l config.ldif` builds the configuration database
 *      (mdb backend, core/cosine/inetorgperson schemas, a root DN, access rules, optional TLS);
 *   2. `slapadd -n 1 -F <dir>/config -l seed.ldif` loads the test entries offline;
 *   3. `slapd -d 0 -F <dir>/config -h ldap://127.0.0.1:<port>/` runs in the foreground as our
 *      child, so stopping it is a signal to a pid we own.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SLAPD = process.env['PLUGFORM_SLAPD'] ?? '/usr/sbin/slapd';
const SLAPADD = process.env['PLUGFORM_SLAPADD'] ?? '/usr/sbin/slapadd';
const SCHEMA_DIR = '/etc/ldap/schema';
const MODULE_DIR = '/usr/lib/ldap';

export interface SlapdOptions {
  /** Suffix of the one database, e.g. `dc=example,dc=org`. */
  suffix: string;
  rootPassword: string;
  /** Entries to load, as LDIF (the suffix entry included). */
  seed: string;
  /** `olcAccess` rules of the database, in order (defaults: see below). */
  access?: readonly string[];
  /** A certificate and key in PEM: enables StartTLS on the ldap:// port and opens an ldaps:// port. */
  tls?: { cert: string; key: string };
}

export interface TestSlapd {
  /** `ldap://127.0.0.1:<port>` */
  url: string;
  /** `ldaps://127.0.0.1:<port>` when TLS was configured. */
  ldapsUrl: string | undefined;
  rootDn: string;
  stop(): Promise<void>;
}

/** Users may read everything but passwords, which only serve to authenticate; anonymous sees nothing. */
const DEFAULT_ACCESS = [
  'to attrs=userPassword by self write by anonymous auth by * none',
  'to * by users read by * none',
];

/** Why slapd cannot run here, or undefined when it can. */
export function slapdUnavailableReason(): string | undefined {
  for (const binary of [SLAPD, SLAPADD]) {
    if (!existsSync(binary)) return `${binary} is missing: install Debian's OpenLDAP with \`apt-get install -y slapd ldap-utils\``;
  }
  if (!existsSync(join(SCHEMA_DIR, 'inetorgperson.ldif'))) return `${SCHEMA_DIR}/inetorgperson.ldif is missing (package slapd)`;
  return undefined;
}

export async function startSlapd(options: SlapdOptions): Promise<TestSlapd> {
  const unavailable = slapdUnavailableReason();
  if (unavailable) throw new Error(unavailable);

  const dir = await mkdtemp(join(tmpdir(), 'plugform-slapd-'));
  const configDir = join(dir, 'config');
  const dataDir = join(dir, 'data');
  await mkdir(configDir);
  await mkdir(dataDir);
  const rootDn = `cn=admin,${options.suffix}`;

  try {
    let tlsFiles: { cert: string; key: string } | undefined;
    if (options.tls) {
      tlsFiles = { cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem') };
      await writeFile(tlsFiles.cert, options.tls.cert);
      await writeFile(tlsFiles.key, options.tls.key, { mode: 0o600 });
    }
    const configLdif = join(dir, 'config.ldif');
    await writeFile(configLdif, configurationLdif({ ...options, rootDn, dataDir, tlsFiles }));
    await writeFile(join(dir, 'seed.ldif'), options.seed);
    run(SLAPADD, ['-n', '0', '-F', configDir, '-l', configLdif]);
    run(SLAPADD, ['-n', '1', '-F', configDir, '-l', join(dir, 'seed.ldif')]);

    const port = await freePort();
    const ldapsPort = options.tls ? await freePort() : undefined;
    const urls = [`ldap://127.0.0.1:${port}/`, ...(ldapsPort ? [`ldaps://127.0.0.1:${ldapsPort}/`] : [])];
    // -d 0: stay in the foreground (our child) without debug output.
    const child = spawn(SLAPD, ['-d', '0', '-F', configDir, '-h', urls.join(' ')], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);

    try {
      await waitForPort(port, child, () => stderr);
      if (ldapsPort) await waitForPort(ldapsPort, child, () => stderr);
    } catch (error) {
      await stopChild(child);
      throw error;
    }

    return {
      url: `ldap://127.0.0.1:${port}`,
      ldapsUrl: ldapsPort ? `ldaps://127.0.0.1:${ldapsPort}` : undefined,
      rootDn,
      async stop() {
        process.removeListener('exit', killOnExit);
        await stopChild(child);
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

function configurationLdif(o: SlapdOptions & { rootDn: string; dataDir: string; tlsFiles: { cert: string; key: string } | undefined }): string {
  // Debian builds the mdb backend as a module; other builds link it in.
  const moduleEntry = existsSync(join(MODULE_DIR, 'back_mdb.la'))
    ? `dn: cn=module{0},cn=config\nobjectClass: olcModuleList\ncn: module{0}\nolcModulePath: ${MODULE_DIR}\nolcModuleLoad: back_mdb\n\n`
    : '';
  const tls = o.tlsFiles ? `olcTLSCertificateFile: ${o.tlsFiles.cert}\nolcTLSCertificateKeyFile: ${o.tlsFiles.key}\n` : '';
  const access = (o.access ?? DEFAULT_ACCESS).map((rule, i) => `olcAccess: {${i}}${rule}`).join('\n');
  return `dn: cn=config
objectClass: olcGlobal
cn: config
${tls}
${moduleEntry}dn: cn=schema,cn=config
objectClass: olcSchemaConfig
cn: schema

include: file://${SCHEMA_DIR}/core.ldif

include: file://${SCHEMA_DIR}/cosine.ldif

include: file://${SCHEMA_DIR}/inetorgperson.ldif

dn: olcDatabase={-1}frontend,cn=config
objectClass: olcDatabaseConfig
objectClass: olcFrontendConfig
olcDatabase: {-1}frontend

dn: olcDatabase={0}config,cn=config
objectClass: olcDatabaseConfig
olcDatabase: {0}config
olcAccess: {0}to * by * none

dn: olcDatabase={1}mdb,cn=config
objectClass: olcDatabaseConfig
objectClass: olcMdbConfig
olcDatabase: {1}mdb
olcSuffix: ${o.suffix}
olcRootDN: ${o.rootDn}
olcRootPW: ${ssha(o.rootPassword)}
olcDbDirectory: ${o.dataDir}
olcDbMaxSize: 16777216
${access}
`;
}

/** `{SSHA}` password hash, as `slappasswd` makes it: base64(SHA1(password + salt) + salt). */
export function ssha(password: string): string {
  const salt = randomBytes(8);
  const digest = createHash('sha1').update(password).update(salt).digest();
  return `{SSHA}${Buffer.concat([digest, salt]).toString('base64')}`;
}

function run(command: string, args: string[]): void {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 15_000 });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed (${result.status ?? result.signal}): ${result.stderr || result.error?.message}`);
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitForPort(port: number, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`slapd exited with ${child.exitCode}: ${stderr()}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`slapd did not listen on 127.0.0.1:${port} within 10 s: ${stderr()}`);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
  await exited;
  clearTimeout(timer);
}
