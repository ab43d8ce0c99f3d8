/**
 * Headers the browser enforces, on every response. The console gets a strict Content
 * Security Policy: its built files only (no inline script or style, nothing from another
 * origin, so injected markup cannot run or phone home), never framed (clickjacking). API
 * responses are data: a policy that allows nothing. GraphiQL (only when PLUGFORM_GRAPHIQL is
 * on) is yoga's page, which loads from a CDN with inline script; it keeps the anti-framing.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  // The favicon is a data: URL in index.html.
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export const API_CSP = "default-src 'none'; frame-ancestors 'none'";
const GRAPHIQL_CSP = "frame-ancestors 'none'";

export function setSecurityHeaders(req: IncomingMessage, res: ServerResponse, options: { api: boolean; graphiql: boolean }): void {
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('referrer-policy', 'no-referrer');
  res.setHeader('x-frame-options', 'DENY');
  const servesGraphiql = options.api && options.graphiql && req.method === 'GET' && (req.headers.accept ?? '').includes('text/html');
  res.setHeader('content-security-policy', !options.api ? CONSOLE_CSP : servesGraphiql ? GRAPHIQL_CSP : API_CSP);
}
