/**
 * `npm run dev`: the API server restarted on every server change (`tsx watch`) and the
 * console served by Vite with hot reload; Vite proxies /graphql (including the SSE
 * subscription) to the server. Open the console at http://localhost:5173.
 *
 * The server listens on PORT (default 4000, where Vite's proxy points). It is told to accept
 * browser requests from Vite's origin, which its CSRF protection would otherwise refuse.
 * Ctrl+C stops both; if either exits, the other is stopped too.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const VITE_PORT = 5173;
const viteOrigins = [`http://localhost:${VITE_PORT}`, `http://127.0.0.1:${VITE_PORT}`];
const bin = (name: string) => resolve(ROOT, 'node_modules/.bin', name);

const apiPort = process.env.PORT ?? '4000';
const allowedOrigins = [process.env.PLUGFORM_ALLOWED_ORIGINS, ...viteOrigins].filter(Boolean).join(',');

function start(label: string, command: string, args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const prefix = (chunk: Buffer) =>
    chunk
      .toString()
      .split('\n')
      .filter((line) => line.length > 0)
      .map((line) => `[${label}] ${line}\n`)
      .join('');
  child.stdout?.on('data', (chunk: Buffer) => process.stdout.write(prefix(chunk)));
  child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(prefix(chunk)));
  return child;
}

const children = [
  start('server', bin('tsx'), ['watch', '--clear-screen=false', 'server/main.ts'], {
    // Without NODE_ENV the server is production; development brings GraphiQL and introspection.
    NODE_ENV: process.env.NODE_ENV ?? 'development',
    PORT: apiPort,
    PLUGFORM_ALLOWED_ORIGINS: allowedOrigins,
  }),
  start('web', bin('vite'), ['--config', 'web/vite.config.ts', '--port', String(VITE_PORT), '--strictPort'], {
    PLUGFORM_API_URL: `http://localhost:${apiPort}`,
  }),
];

let stopping = false;
function stop(code: number): void {
  if (stopping) return;
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  process.exitCode = code;
}

for (const child of children) child.on('exit', (code) => stop(code ?? 0));
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

console.log(`Plugform dev: console with hot reload at http://localhost:${VITE_PORT} (API on port ${apiPort})`);
