/**
 * CSRF protection for browser requests. Tokens travel in a header, not a cookie, which
 * already defeats classic CSRF; this closes the rest: a cross-site page may not send a
 * "simple" request (form or text/plain body, which skips the CORS preflight), and a request
 * whose Origin is neither this server nor an allowed origin is refused.
 */
import type { Plugin } from 'graphql-yoga';

const SIMPLE_CONTENT_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'];
export const CSRF_HEADER = 'x-plugform-csrf';

export function useCsrfProtection(allowedOrigins: readonly string[] = []): Plugin {
  return {
    onRequest({ request, url, endResponse, fetchAPI }) {
      const refuse = (reason: string) =>
        endResponse(
          new fetchAPI.Response(JSON.stringify({ errors: [{ message: reason, extensions: { code: 'CSRF_REFUSED' } }] }), {
            status: 403,
            headers: { 'content-type': 'application/json' },
          }),
        );
      const origin = request.headers.get('origin');
      if (origin && origin !== url.origin && !allowedOrigins.includes(origin)) {
        return refuse(`Requests from origin ${origin} are not allowed (set PLUGFORM_ALLOWED_ORIGINS to allow it)`);
      }
      if (request.method === 'POST') {
        const type = (request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
        if ((type === '' || SIMPLE_CONTENT_TYPES.includes(type)) && !request.headers.has(CSRF_HEADER)) {
          return refuse(`POST requests must have Content-Type: application/json (or send the ${CSRF_HEADER} header)`);
        }
      }
      return undefined;
    },
  };
}
