/**
 * The WhatsApp Cloud API (Graph API) as Meta documents it:
 *   GET  /{version}/{phone-number-id}?fields=…      → the phone number's fields plus `id`
 *   GET  /{version}/{waba-id}/phone_numbers         → `{ data: [phone numbers], paging }`
 *   POST /{version}/{phone-number-id}/messages      → `{ messaging_product, contacts, messages: [{ id: "wamid…" }] }`
 * Errors use the Graph API error body `{ error: { message, type, code, error_subcode?,
 * error_data?, fbtrace_id } }`: 401 with code 190 and a `WWW-Authenticate` header for a bad
 * token; 400 with code 100 for a bad parameter or an unknown object; 404 with code 132001 for
 * an unknown template; 400 with code 130429 when the number's throughput is exceeded (Meta
 * throttles with 400, not 429); 500 with code 131000 and 503 with code 131016 for its own faults.
 * https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes
 */
import { randomBytes } from 'node:crypto';
import { bearerToken, jsonBody, routes, startHttpDouble, type HttpDouble, type RecordedRequest, type Reply } from './http-double.ts';

export interface WhatsAppDoubleOptions {
  token: string;
  businessAccountId: string;
  phoneNumberId: string;
  /** As Meta formats it: `+1 555-010-0200`. */
  displayPhoneNumber: string;
  verifiedName?: string;
  qualityRating?: 'GREEN' | 'YELLOW' | 'RED' | 'UNKNOWN';
  /** Approved template names. */
  templates?: string[];
}

export interface WhatsAppDouble extends HttpDouble {
  /** Message bodies accepted so far, with the id handed out. */
  readonly sent: { id: string; body: Record<string, unknown> }[];
  /** The live state: change a property (`qualityRating`) and the next answer reflects it. */
  readonly options: WhatsAppDoubleOptions;
}

function fbtraceId(): string {
  return randomBytes(9).toString('base64url');
}

export function graphError(status: number, error: { message: string; type: string; code: number; error_subcode?: number; error_data?: Record<string, unknown> }, headers: Record<string, string> = {}): Reply {
  return { status, headers, body: { error: { ...error, fbtrace_id: fbtraceId() } } };
}

/** The answers Meta gives when it is unhappy, for `double.inject({ kind: 'reply', reply })`. */
export const whatsappFaults = {
  throughputExceeded: (): Reply =>
    graphError(400, {
      message: '(#130429) Rate limit hit',
      type: 'OAuthException',
      code: 130429,
      error_subcode: 2494055,
      error_data: { messaging_product: 'whatsapp', details: 'Cloud API message throughput has been reached.' },
    }),
  somethingWentWrong: (): Reply =>
    graphError(500, {
      message: '(#131000) Something went wrong',
      type: 'OAuthException',
      code: 131000,
      error_data: { messaging_product: 'whatsapp', details: 'Something went wrong' },
    }),
  serviceUnavailable: (): Reply =>
    graphError(503, {
      message: '(#131016) Service unavailable',
      type: 'OAuthException',
      code: 131016,
      error_data: { messaging_product: 'whatsapp', details: 'A service is temporarily unavailable.' },
    }),
  tokenExpired: (): Reply =>
    graphError(
      401,
      {
        message: 'Error validating access token: Session has expired on Tuesday, 01-Jul-25 10:00:00 PDT.',
        type: 'OAuthException',
        code: 190,
        error_subcode: 463,
      },
      { 'www-authenticate': 'OAuth "Facebook Platform" "invalid_token" "Error validating access token: Session has expired"' },
    ),
};

export async function startWhatsAppDouble(options: WhatsAppDoubleOptions): Promise<WhatsAppDouble> {
  const sent: WhatsAppDouble['sent'] = [];
  const state = { options: { ...options } };

  const phoneNumber = () => ({
    verified_name: state.options.verifiedName ?? 'Plugform Test',
    display_phone_number: state.options.displayPhoneNumber,
    quality_rating: state.options.qualityRating ?? 'GREEN',
    id: state.options.phoneNumberId,
  });

  const unauthenticated = (request: RecordedRequest): Reply | undefined => {
    const token = bearerToken(request);
    if (token === undefined) {
      return graphError(400, { message: 'An active access token must be used to query information about the current user.', type: 'OAuthException', code: 2500 });
    }
    if (token !== state.options.token) {
      return graphError(401, { message: 'Invalid OAuth access token - Cannot parse access token', type: 'OAuthException', code: 190 }, {
        'www-authenticate': 'OAuth "Facebook Platform" "invalid_token" "Invalid OAuth access token - Cannot parse access token"',
      });
    }
    return undefined;
  };

  const unknownObject = (id: string, method: 'get' | 'post'): Reply =>
    graphError(400, {
      message: `Unsupported ${method} request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api`,
      type: 'GraphMethodException',
      code: 100,
      error_subcode: 33,
    });

  const invalidParameter = (message: string): Reply =>
    graphError(400, { message: `(#100) ${message}`, type: 'OAuthException', code: 100 });

  const readNode = (request: RecordedRequest, { id }: Record<string, string>): Reply => {
    const denied = unauthenticated(request);
    if (denied) return denied;
    if (id !== state.options.phoneNumberId) return unknownObject(id ?? '', 'get');
    const requested = request.url.searchParams.get('fields')?.split(',') ?? ['verified_name', 'display_phone_number', 'quality_rating'];
    const all = phoneNumber() as Record<string, unknown>;
    return { status: 200, body: Object.fromEntries([...requested, 'id'].filter((key) => key in all).map((key) => [key, all[key]])) };
  };

  const listPhoneNumbers = (request: RecordedRequest, { id }: Record<string, string>): Reply => {
    const denied = unauthenticated(request);
    if (denied) return denied;
    if (id !== state.options.businessAccountId) return unknownObject(id ?? '', 'get');
    return { status: 200, body: { data: [phoneNumber()], paging: { cursors: { before: 'QVFI', after: 'QVFI' } } } };
  };

  const sendMessage = (request: RecordedRequest, { id }: Record<string, string>): Reply => {
    const denied = unauthenticated(request);
    if (denied) return denied;
    if (id !== state.options.phoneNumberId) return unknownObject(id ?? '', 'post');
    const body = jsonBody(request);
    if (typeof body !== 'object' || body === null) return invalidParameter('The parameter messaging_product is required.');
    const message = body as Record<string, unknown>;
    if (message.messaging_product !== 'whatsapp') return invalidParameter('The parameter messaging_product is required.');
    if (typeof message.to !== 'string' || message.to === '') return invalidParameter('The parameter to is required.');
    const problem = checkContent(message, state.options.templates ?? []);
    if (problem) return problem;
    const messageId = `wamid.${randomBytes(24).toString('base64url')}`;
    sent.push({ id: messageId, body: message });
    return {
      status: 200,
      body: {
        messaging_product: 'whatsapp',
        contacts: [{ input: message.to, wa_id: message.to.replace(/\D/g, '') }],
        messages: [{ id: messageId }],
      },
    };
  };

  const handler = routes(
    {
      'GET /:version/:id': (request, params) => withVersion(params, () => readNode(request, params)),
      'GET /:version/:id/phone_numbers': (request, params) => withVersion(params, () => listPhoneNumbers(request, params)),
      'POST /:version/:id/messages': (request, params) => withVersion(params, () => sendMessage(request, params)),
    },
    (request) => graphError(400, { message: `Unknown path components: ${request.path}`, type: 'OAuthException', code: 2500 }),
  );
  const double = await startHttpDouble(handler);
  const resetRequests = double.reset;
  double.reset = () => {
    resetRequests();
    sent.length = 0;
  };
  // `options` is the live state: a test may change `double.options.qualityRating` mid-way.
  return Object.assign(double, { sent, options: state.options });
}

function withVersion(params: Record<string, string>, answer: () => Reply): Reply {
  if (!/^v\d+\.\d+$/.test(params.version ?? '')) {
    return graphError(400, { message: `Unknown path components: /${params.version}`, type: 'OAuthException', code: 2500 });
  }
  return answer();
}

function checkContent(message: Record<string, unknown>, templates: string[]): Reply | undefined {
  const invalid = (text: string) => graphError(400, { message: `(#100) ${text}`, type: 'OAuthException', code: 100 });
  if (message.type === 'text') {
    const text = message.text as { body?: unknown } | undefined;
    if (typeof text?.body !== 'string' || text.body === '') return invalid('The parameter text[\'body\'] is required.');
    if (text.body.length > 4096) return invalid('Param text[\'body\'] must be at most 4096 characters long.');
    return undefined;
  }
  if (message.type === 'template') {
    const template = message.template as { name?: unknown; language?: { code?: unknown } } | undefined;
    if (typeof template?.name !== 'string') return invalid('The parameter template[\'name\'] is required.');
    if (typeof template.language?.code !== 'string') return invalid('The parameter template[\'language\'] is required.');
    if (!templates.includes(template.name)) {
      return graphError(404, {
        message: '(#132001) Template name does not exist in the translation',
        type: 'OAuthException',
        code: 132001,
        error_data: { messaging_product: 'whatsapp', details: `template name (${template.name}) does not exist in ${template.language.code}` },
      });
    }
    return undefined;
  }
  return invalid(`Param type must be one of {AUDIO, CONTACTS, DOCUMENT, IMAGE, INTERACTIVE, LOCATION, REACTION, STICKER, TEMPLATE, TEXT, VIDEO} - got "${String(message.type)}".`);
}
