/**
 * Serves the built console (web/dist) on the same port as the API. The console's client-side
 * routes (`isRoute`) get index.html so they survive a reload; any other path is left to the
 * caller (it answers 404), so an unknown URL never looks like a page.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

export const CONSOLE_DIR = resolve(import.meta.dirname, '../../web/dist');

/** Resolves true when it answered, false when the path is neither a file nor a console route. */
export function createStaticHandler(root = CONSOLE_DIR, isRoute: (path: string) => boolean = () => true) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    let pathname: string;
    try {
      pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    } catch {
      return false; // a malformed escape (%zz): no file or route has that name
    }
    const candidate = normalize(join(root, pathname));
    const inside = candidate === root || candidate.startsWith(root + sep);
    const file = inside && (await isFile(candidate)) ? candidate : isRoute(pathname) ? join(root, 'index.html') : undefined;
    if (file === undefined) return false;
    if (!(await isFile(file))) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('The console is not built. Run `npm run build:web` (npm start does it for you).\n');
      return true;
    }
    const immutable = file.includes(`${sep}assets${sep}`);
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      'x-content-type-options': 'nosniff',
    });
    if (req.method === 'HEAD') {
      res.end();
      return true;
    }
    createReadStream(file).pipe(res);
    return true;
  };
}

async function isFile(path: string): Promise<boolean> {
  return (await stat(path).catch(() => null))?.isFile() ?? false;
}
