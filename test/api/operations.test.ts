/**
 * Instances doing their job: every built-in plugin's operations, called through GraphQL on
 * the real server, against local vendor doubles that answer as the vendor documents. Each
 * test checks what the vendor received, not only what Plugform answered.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CALL_LOG,
  CAPTURE_EVENT,
  CAPTURE_EVENTS,
  CAPTURE_PAYMENT,
  CREATE_PAYMENT,
  DELETE_FILE,
  DELIVER_EVENT,
  DOWNLOAD_URL,
  INDEX_DOCUMENTS,
  LIST_FILES,
  REFUND_PAYMENT,
  SEARCH_DOCUMENTS,
  SEND_NOTIFICATION,
  STORE_FILE,
  TRIGGER_WORKFLOW,
  VERIFY_CREDENTIALS,
  createInstance,
  multipart,
  operation,
  restOperation,
} from '../support/operations.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { startVendor, type Vendor } from './fixtures/vendor.ts';
import { slapdUnavailableReason, ssha, startSlapd, type TestSlapd } from '../support/slapd.ts';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp-server.ts';
import { startMeilisearchDouble, type MeilisearchDouble } from '../support/vendors/meilisearch.ts';
import { startPostHogDouble, type PostHogDouble } from '../support/vendors/posthog.ts';
import { startS3Double, type S3Double } from '../support/vendors/s3-double.ts';
import { startSlackDouble, type SlackDouble } from '../support/vendors/slack.ts';
import { startStripeDouble, type StripeDouble } from '../support/vendors/stripe.ts';
import { signatureOf, startWebhookReceiver, type WebhookReceiver } from '../support/vendors/webhook-receiver.ts';
import { startWhatsAppDouble, type WhatsAppDouble } from '../support/vendors/whatsapp.ts';
import { startWorkflowTrigger, type WorkflowTrigger } from '../support/vendors/workflow-trigger.ts';

const SLACK_TOKEN = 'xoxb-CANARY-ops-1234567890-abcdefghijkl';
const WHATSAPP_TOKEN = 'EAAG-CANARY-ops-whatsapp-token-0123456789';
const SMTP_PASSWORD = 'CANARY-ops-smtp-password';
const STRIPE_KEY = 'sk_test_CANARYopsStripeKey0123456789';
const MEILI_KEY = 'CANARY-ops-meili-app-key-0f9e8d7c6b5a';
const POSTHOG_KEY = 'phc_CANARYopsProjectKey0123456789';
const HOOK_SECRET = 'CANARY-ops-webhook-signing-secret';
const WORKFLOW_AUTH = 'CANARY-ops-workflow-auth';
const S3_SECRET = 'CANARY-ops-s3-secret-access-key';
const LDAP_SERVICE_PASSWORD = 'CANARY-ops-ldap-service';
const LDAP_USER_PASSWORD = 'CANARY-ops-alice-password';
const SECRETS = [SLACK_TOKEN, WHATSAPP_TOKEN, SMTP_PASSWORD, STRIPE_KEY, MEILI_KEY, POSTHOG_KEY, HOOK_SECRET, WORKFLOW_AUTH, S3_SECRET, LDAP_SERVICE_PASSWORD, LDAP_USER_PASSWORD];

let server: TestServer;
let slack: SlackDouble;
let whatsapp: WhatsAppDouble;
let smtp: TestSmtpServer;
let stripe: StripeDouble;
let meili: MeilisearchDouble;
let posthog: PostHogDouble;
let receiver: WebhookReceiver;
let workflows: WorkflowTrigger;
let s3: S3Double;
let slapd: TestSlapd | undefined;
let storageDir: string;

beforeAll(async () => {
  storageDir = await mkdtemp(join(tmpdir(), 'plugform-ops-files-'));
  [server, slack, whatsapp, smtp, stripe, meili, posthog, receiver, workflows, s3] = await Promise.all([
    startTestServer({ env: { PLUGFORM_LOCAL_STORAGE_ROOTS: storageDir } }),
    startSlackDouble({ botToken: SLACK_TOKEN, webhookPath: '/services/T0/B0/x', channels: [{ id: 'C0ALERTS01', name: 'alerts', member: true }] }),
    startWhatsAppDouble({ token: WHATSAPP_TOKEN, businessAccountId: '102290129340398', phoneNumberId: '106540352242922', displayPhoneNumber: '+1 555-010-0200', verifiedName: 'Plugform Test', templates: ['hello_world'] }),
    startSmtpServer({ users: { mailer: SMTP_PASSWORD }, tls: 'starttls' }),
    startStripeDouble({ secretKey: STRIPE_KEY }),
    startMeilisearchDouble({
      masterKey: 'CANARY-ops-meili-master',
      keys: [{ key: MEILI_KEY, actions: ['search', 'documents.add', 'tasks.get', 'indexes.get'] }],
      filterableAttributes: ['genre', 'year'],
    }),
    startPostHogDouble({ projectApiKey: POSTHOG_KEY, personalApiKey: 'phx_CANARYopsPersonalKey', projectId: 4242, projectName: 'Plugform Test', flags: {} }),
    startWebhookReceiver({ secret: HOOK_SECRET }),
    startWorkflowTrigger({ headerName: 'X-N8N-Auth', headerValue: WORKFLOW_AUTH, workflows: { 'order-sync': 'execution-id' } }),
    startS3Double({ region: 'eu-central-1', buckets: ['plugform-files'], credentials: { AKIAOPSTEST: { secretAccessKey: S3_SECRET, buckets: ['plugform-files'] } } }),
  ]);
  if (!slapdUnavailableReason()) {
    slapd = await startSlapd({ suffix: 'dc=example,dc=org', rootPassword: 'root-password', seed: LDAP_SEED });
  }
});

afterAll(async () => {
  // Whatever happened above, no secret ever came back in any response.
  const everything = server.responses.map((r) => r.text).join('\n');
  for (const secret of SECRETS) expect(everything).not.toContain(secret);
  await Promise.all([server?.close(), slack?.close(), whatsapp?.close(), smtp?.close(), stripe?.close(), meili?.close(), posthog?.close(), receiver?.close(), workflows?.close(), s3?.close(), slapd?.stop()]);
  await rm(storageDir, { recursive: true, force: true });
});

const LDAP_SEED = `dn: dc=example,dc=org
objectClass: dcObject
objectClass: organization
dc: example
o: Example

dn: ou=people,dc=example,dc=org
objectClass: organizationalUnit
ou: people

dn: ou=services,dc=example,dc=org
objectClass: organizationalUnit
ou: services

dn: cn=plugform,ou=services,dc=example,dc=org
objectClass: organizationalRole
objectClass: simpleSecurityObject
cn: plugform
userPassword: ${ssha(LDAP_SERVICE_PASSWORD)}

dn: uid=alice,ou=people,dc=example,dc=org
objectClass: inetOrgPerson
uid: alice
cn: Alice Liddell
sn: Liddell
mail: alice@example.org
userPassword: ${ssha(LDAP_USER_PASSWORD)}
`;

describe('NOTIFICATION', () => {
  it('slack: sendNotification posts chat.postMessage with the bot token and returns the message ts', async () => {
    const id = await createInstance(server, 'slack', 'ops-slack', { mode: 'bot', botToken: SLACK_TOKEN, defaultChannel: '#alerts', apiBaseUrl: slack.apiBaseUrl, testPostsMessage: false });
    const sent = await operation(server, SEND_NOTIFICATION, { id, input: { recipient: '#alerts', message: 'Deploy finished' } });
    expect(sent.__typename).toBe('MutationSendNotificationSuccess');
    expect(slack.posts).toHaveLength(1);
    expect(slack.posts[0]).toMatchObject({ via: 'api', channel: 'C0ALERTS01', body: { channel: '#alerts', text: 'Deploy finished' } });
    const request = slack.requests.find((r) => r.path.endsWith('/chat.postMessage'))!;
    expect(request.headers.authorization).toBe(`Bearer ${SLACK_TOKEN}`);
    expect(sent.data.messageId).toMatch(/^\d+\.\d{6}$/);
  });

  it('whatsapp-business: sendNotification sends a text message to the Cloud API messages endpoint', async () => {
    const id = await createInstance(server, 'whatsapp-business', 'ops-whatsapp', {
      phoneNumber: '+15550100200',
      apiToken: WHATSAPP_TOKEN,
      businessAccountId: '102290129340398',
      phoneNumberId: '106540352242922',
      apiVersion: 'v21.0',
      apiBaseUrl: whatsapp.url,
    });
    const sent = await operation(server, SEND_NOTIFICATION, { id, input: { recipient: '+15551234567', message: 'Your order shipped' } });
    expect(sent.__typename).toBe('MutationSendNotificationSuccess');
    const request = whatsapp.requests.find((r) => r.method === 'POST' && r.path === '/v21.0/106540352242922/messages')!;
    expect(request.headers.authorization).toBe(`Bearer ${WHATSAPP_TOKEN}`);
    expect(JSON.parse(request.body)).toMatchObject({ messaging_product: 'whatsapp', recipient_type: 'individual', to: expect.stringMatching(/^\+?15551234567$/), type: 'text', text: { body: 'Your order shipped' } });
    expect(sent.data.messageId).toBe(whatsapp.sent[0]!.id);
  });

  it('smtp-email: sendNotification delivers a mail with the subject to the recipient', async () => {
    const id = await createInstance(server, 'smtp-email', 'ops-smtp', {
      host: '127.0.0.1',
      port: smtp.port,
      tlsMode: 'starttls',
      allowSelfSigned: true,
      username: 'mailer',
      password: SMTP_PASSWORD,
      fromAddress: 'alerts@example.com',
    });
    const sent = await operation(server, SEND_NOTIFICATION, { id, input: { recipient: 'ops@example.org', subject: 'Nightly report', message: 'All green.' } });
    expect(sent.__typename).toBe('MutationSendNotificationSuccess');
    expect(smtp.messages).toHaveLength(1);
    expect(smtp.messages[0]!.envelope.to).toEqual(['ops@example.org']);
    expect(smtp.messages[0]!.headers.subject).toBe('Nightly report');
    expect(smtp.messages[0]!.body).toContain('All green.');
    expect(sent.data.messageId).toBeTruthy();
  });

  it('example-echo: sendNotification returns the echo message id', async () => {
    const id = await createInstance(server, 'example-echo', 'ops-echo', { senderName: 'Ops', apiToken: 'echo-ops-token' });
    const sent = await operation(server, SEND_NOTIFICATION, { id, input: { recipient: 'someone', message: 'hi' } });
    expect(sent.__typename).toBe('MutationSendNotificationSuccess');
    expect(sent.data.messageId).toBeTruthy();
  });

  it('refuses bad input with field errors that never quote the values', async () => {
    const id = await createInstance(server, 'example-echo', 'ops-echo-bad', { senderName: 'Ops', apiToken: 'echo-ops-token' });
    const refused = await operation(server, SEND_NOTIFICATION, { id, input: { recipient: '   ', message: 'x'.repeat(70_000) } });
    expect(refused.__typename).toBe('ValidationError');
    expect(refused.fieldErrors.map((e: { field: string }) => e.field).sort()).toEqual(['message', 'recipient']);
    expect(JSON.stringify(refused)).not.toContain('xxxxxxxxxx');
  });

  it('refuses an operation of another plugin type, naming both types', async () => {
    const id = await createInstance(server, 'example-echo', 'ops-echo-type', { senderName: 'Ops', apiToken: 'echo-ops-token' });
    const refused = await operation(server, TRIGGER_WORKFLOW, { id, workflowId: 'x' });
    expect(refused).toMatchObject({ __typename: 'OperationNotSupportedError', operation: 'triggerWorkflow', pluginName: 'example-echo' });
    expect(refused.message).toContain('NOTIFICATION');
  });
});

describe('PAYMENT (stripe)', () => {
  let id: string;
  let manualId: string;
  beforeAll(async () => {
    id = await createInstance(server, 'stripe', 'ops-stripe', { secretKey: STRIPE_KEY, apiBaseUrl: stripe.url, captureMethod: 'automatic' });
    manualId = await createInstance(server, 'stripe', 'ops-stripe-manual', { secretKey: STRIPE_KEY, apiBaseUrl: stripe.url, captureMethod: 'manual' });
  });

  it('createPayment sends the amount in minor units and the lower-case currency; refundPayment refunds part of it', async () => {
    const paid = await operation(server, CREATE_PAYMENT, { id, input: { amountMinor: 1250, currency: 'EUR', paymentMethod: 'pm_card_visa', metadata: { order: '42' } } });
    expect(paid.__typename).toBe('MutationCreatePaymentSuccess');
    expect(paid.data).toMatchObject({ status: 'succeeded', amountMinor: 1250, currency: 'EUR' });
    const request = stripe.requests.find((r) => r.method === 'POST' && r.path === '/v1/payment_intents')!;
    const form = new URLSearchParams(request.body);
    expect(form.get('amount')).toBe('1250');
    expect(form.get('currency')).toBe('eur');
    expect(form.get('payment_method')).toBe('pm_card_visa');
    expect(form.get('metadata[order]')).toBe('42');
    expect(request.headers.authorization).toBe(`Bearer ${STRIPE_KEY}`);

    const refunded = await operation(server, REFUND_PAYMENT, { id, input: { paymentId: paid.data.paymentId, amountMinor: 250, currency: 'EUR' } });
    expect(refunded.__typename).toBe('MutationRefundPaymentSuccess');
    expect(refunded.data).toMatchObject({ status: 'succeeded', amountMinor: 250, currency: 'EUR' });
    expect(new URLSearchParams(stripe.requests.find((r) => r.path === '/v1/refunds')!.body).get('amount')).toBe('250');
  });

  it('capturePayment captures an authorised intent by amount_to_capture', async () => {
    const authorised = await operation(server, CREATE_PAYMENT, { id: manualId, input: { amountMinor: 5000, currency: 'USD', paymentMethod: 'pm_card_visa' } });
    expect(authorised.data.status).toBe('requires_capture');
    const captured = await operation(server, CAPTURE_PAYMENT, { id: manualId, input: { paymentId: authorised.data.paymentId, amountMinor: 4000, currency: 'USD' } });
    expect(captured.__typename).toBe('MutationCapturePaymentSuccess');
    expect(captured.data).toMatchObject({ status: 'succeeded', amountMinor: 4000 });
    const request = stripe.requests.find((r) => r.path === `/v1/payment_intents/${authorised.data.paymentId}/capture`)!;
    expect(new URLSearchParams(request.body).get('amount_to_capture')).toBe('4000');
  });

  it('a declined card is an OperationFailedError with the vendor status and code', async () => {
    const declined = await operation(server, CREATE_PAYMENT, { id, input: { amountMinor: 1000, currency: 'EUR', paymentMethod: 'pm_card_chargeDeclined' } });
    expect(declined).toMatchObject({ __typename: 'OperationFailedError', operation: 'createPayment', vendorStatus: 402, timedOut: false });
    expect(declined.message).toContain('declined');
  });

  it("a vendor error quoting the caller's input does not echo it back", async () => {
    const failed = await operation(server, CREATE_PAYMENT, { id, input: { amountMinor: 1000, currency: 'EUR', paymentMethod: 'pm_CANARY_no_such_method' } });
    expect(failed).toMatchObject({ __typename: 'OperationFailedError', vendorStatus: 400, vendorCode: 'resource_missing' });
    expect(failed.message).toContain('No such PaymentMethod');
    expect(failed.message).not.toContain('pm_CANARY_no_such_method');
    const rows = await server.running.services.prisma.operationCall.findMany({ where: { instanceId: id } });
    expect(JSON.stringify(rows)).not.toContain('pm_CANARY_no_such_method');
  });

  it('checks amounts and currencies before calling Stripe', async () => {
    const before = stripe.requests.length;
    const refused = await operation(server, CREATE_PAYMENT, { id, input: { amountMinor: 12.5, currency: 'EURO', paymentMethod: 'pm_card_visa' } });
    expect(refused.__typename).toBe('ValidationError');
    expect(refused.fieldErrors.map((e: { field: string; rule: string }) => `${e.field}:${e.rule}`).sort()).toEqual(['amountMinor:type', 'currency:maxLength']);
    expect(stripe.requests.length).toBe(before);
  });
});

describe('STORAGE', () => {
  async function roundTrip(id: string) {
    const stored = await multipart(server, STORE_FILE, { id, key: 'reports/today.txt', metadata: { team: 'ops' } }, { name: 'today.txt', type: 'text/plain', content: 'hello, storage' });
    expect(stored.__typename).toBe('MutationStoreFileSuccess');
    expect(stored.data).toMatchObject({ key: 'reports/today.txt', size: 14 });

    const link = await operation(server, DOWNLOAD_URL, { id, key: 'reports/today.txt' });
    expect(link.__typename).toBe('MutationCreateFileDownloadUrlSuccess');
    expect(link.data.url.startsWith(`${server.url}/api/v1/downloads/`)).toBe(true);
    expect(Date.parse(link.data.expiresAt)).toBeGreaterThan(Date.now());
    // The link is the credential: no token needed.
    const downloaded = await fetch(link.data.url);
    expect(downloaded.status).toBe(200);
    expect(downloaded.headers.get('content-type')).toBe('text/plain');
    expect(downloaded.headers.get('content-disposition')).toContain('attachment');
    expect(await downloaded.text()).toBe('hello, storage');
    // A tampered link is refused.
    const tampered = await fetch(link.data.url.replace(/.$/, (c: string) => (c === 'A' ? 'B' : 'A')));
    expect(tampered.status).toBe(403);

    const listed = await operation(server, LIST_FILES, { id, prefix: 'reports/' });
    expect(listed.__typename).toBe('MutationListFilesSuccess');
    expect(listed.data.files).toEqual([expect.objectContaining({ key: 'reports/today.txt', size: 14 })]);

    const deleted = await operation(server, DELETE_FILE, { id, key: 'reports/today.txt' });
    expect(deleted.data).toEqual({ key: 'reports/today.txt', deleted: true });
    const again = await operation(server, DELETE_FILE, { id, key: 'reports/today.txt' });
    expect(again.data.deleted).toBe(false);
    expect((await fetch(link.data.url)).status).toBe(404);
  }

  it('local-storage: store (multipart upload), signed download, list, delete', async () => {
    const id = await createInstance(server, 'local-storage', 'ops-local', { baseDirectory: storageDir, createIfMissing: true });
    const pending = roundTrip(id);
    await pending;
  });

  it('local-storage: the file lands on disk with the uploaded bytes', async () => {
    const id = await createInstance(server, 'local-storage', 'ops-local-disk', { baseDirectory: join(storageDir, 'disk'), createIfMissing: true });
    await multipart(server, STORE_FILE, { id, key: 'a/b.bin' }, { name: 'b.bin', type: 'application/octet-stream', content: 'bytes!' });
    expect(await readFile(join(storageDir, 'disk', 'a/b.bin'), 'utf8')).toBe('bytes!');
  });

  it('s3-storage: PutObject with the prefixed key, signed download through GetObject, ListObjectsV2, DeleteObject', async () => {
    const id = await createInstance(server, 's3-storage', 'ops-s3', {
      endpoint: s3.endpoint,
      region: 'eu-central-1',
      bucket: 'plugform-files',
      accessKeyId: 'AKIAOPSTEST',
      secretAccessKey: S3_SECRET,
      forcePathStyle: true,
      keyPrefix: 'tenant-a/',
    });
    const stored = await multipart(server, STORE_FILE, { id, key: 'in/s3.txt' }, { name: 's3.txt', type: 'text/plain', content: 'object body' });
    expect(stored.data.location).toBe('s3://plugform-files/tenant-a/in/s3.txt');
    expect(Buffer.from(s3.objects.get('plugform-files')!.get('tenant-a/in/s3.txt')!.body).toString()).toBe('object body');
    await multipart(server, STORE_FILE, { id, key: 'reports/today.txt' }, { name: 'today.txt', type: 'text/plain', content: 'x' });
    await operation(server, DELETE_FILE, { id, key: 'reports/today.txt' });
    await roundTrip(id);
  });

  it('refuses keys that leave the store', async () => {
    const id = await createInstance(server, 'local-storage', 'ops-local-keys', { baseDirectory: storageDir });
    const refused = await operation(server, DOWNLOAD_URL, { id, key: '../etc/passwd' });
    expect(refused).toMatchObject({ __typename: 'ValidationError', fieldErrors: [{ field: 'key', rule: 'pattern' }] });
  });
});

describe('SEARCH (meilisearch)', () => {
  it('indexDocuments adds documents; searchDocuments sends q, limit and offset and returns the hits', async () => {
    const id = await createInstance(server, 'meilisearch', 'ops-meili', { host: meili.url, apiKey: MEILI_KEY });
    const indexed = await operation(server, INDEX_DOCUMENTS, {
      id,
      index: 'movies',
      documents: [
        { id: 'm1', document: { title: 'Shazam', genre: 'comedy' } },
        { id: 'm2', document: { title: 'Shazam and friends', genre: 'comedy' } },
      ],
    });
    expect(indexed).toMatchObject({ __typename: 'MutationIndexDocumentsSuccess', data: { index: 'movies', indexed: 2 } });
    expect(meili.indexes.get('movies')!.documents.size).toBe(2);

    const found = await operation(server, SEARCH_DOCUMENTS, { id, input: { index: 'movies', query: 'shazam', limit: 1, offset: 1 } });
    expect(found.__typename).toBe('MutationSearchDocumentsSuccess');
    expect(found.data.hits).toHaveLength(1);
    expect(found.data).toMatchObject({ limit: 1, offset: 1 });
    const request = meili.requests.filter((r) => r.path === '/indexes/movies/search').at(-1)!;
    expect(JSON.parse(request.body)).toMatchObject({ q: 'shazam', limit: 1, offset: 1 });
    expect(request.headers.authorization).toBe(`Bearer ${MEILI_KEY}`);
  });

  it('searchDocuments sends the filter with the paging, exactly as Meilisearch documents the search body, and pages the filtered hits', async () => {
    const id = await createInstance(server, 'meilisearch', 'ops-meili-filter', { host: meili.url, apiKey: MEILI_KEY });
    await operation(server, INDEX_DOCUMENTS, {
      id,
      index: 'films',
      documents: [
        { id: 'f1', document: { title: 'Shazam', genre: 'comedy', year: 2019 } },
        { id: 'f2', document: { title: 'Shazam and friends', genre: 'comedy', year: 1999 } },
        { id: 'f3', document: { title: 'Shazam returns', genre: 'drama', year: 2023 } },
        { id: 'f4', document: { title: 'Shazam again', genre: 'comedy', year: 2023 } },
      ],
    });
    const search = (input: Record<string, unknown>) => operation(server, SEARCH_DOCUMENTS, { id, input: { index: 'films', query: 'shazam', ...input } });
    const lastBody = () => JSON.parse(meili.requests.filter((r) => r.path === '/indexes/films/search').at(-1)!.body);

    const firstPage = await search({ filter: 'genre = "comedy" AND year > 2000', limit: 1 });
    expect(firstPage.data.hits.map((h: { id: string }) => h.id)).toEqual(['f1']);
    const secondPage = await search({ filter: 'genre = "comedy" AND year > 2000', limit: 1, offset: 1 });
    expect(secondPage).toMatchObject({ __typename: 'MutationSearchDocumentsSuccess', data: { limit: 1, offset: 1 } });
    expect(secondPage.data.hits.map((h: { id: string }) => h.id)).toEqual(['f4']);
    expect(secondPage.data.hits[0].document).toEqual({ id: 'f4', title: 'Shazam again', genre: 'comedy', year: 2023 });
    // POST /indexes/{index_uid}/search: q, filter, limit, offset (and the ranking score the plugin maps to `score`).
    expect(lastBody()).toEqual({ q: 'shazam', filter: 'genre = "comedy" AND year > 2000', limit: 1, offset: 1, showRankingScore: true });
    const pastTheEnd = await search({ filter: 'genre = "comedy" AND year > 2000', limit: 1, offset: 2 });
    expect(pastTheEnd.data.hits).toEqual([]);

    // Meilisearch refuses a filter on an attribute that is not filterable: the vendor's code comes back.
    const refused = await search({ filter: 'title = "Shazam"' });
    expect(refused).toMatchObject({ __typename: 'OperationFailedError', vendorStatus: 400, vendorCode: 'invalid_search_filter' });
    expect(refused.message).toContain('is not filterable');
  });
});

describe('AUTHENTICATION (ldap)', () => {
  it.skipIf(slapdUnavailableReason() !== undefined)('verifyCredentials binds as the user and returns the subject; the password never comes back', async () => {
    const id = await createInstance(server, 'ldap', 'ops-ldap', {
      url: slapd!.url,
      bindDn: 'cn=plugform,ou=services,dc=example,dc=org',
      bindPassword: LDAP_SERVICE_PASSWORD,
      baseDn: 'ou=people,dc=example,dc=org',
      userFilter: '(uid={username})',
      attributes: ['uid', 'cn', 'mail'],
    });
    const ok = await operation(server, VERIFY_CREDENTIALS, { id, input: { username: 'alice', password: LDAP_USER_PASSWORD } });
    expect(ok.__typename).toBe('MutationVerifyCredentialsSuccess');
    expect(ok.data).toMatchObject({ authenticated: true, subject: 'uid=alice,ou=people,dc=example,dc=org', attributes: { cn: 'Alice Liddell' } });
    const wrong = await operation(server, VERIFY_CREDENTIALS, { id, input: { username: 'alice', password: 'not-her-password' } });
    expect(wrong.data).toMatchObject({ authenticated: false, subject: null, attributes: null });
    expect(JSON.stringify(wrong)).not.toContain('not-her-password');
  });
});

describe('ANALYTICS (posthog)', () => {
  it('captureEvent and captureEvents send events with the project key', async () => {
    const id = await createInstance(server, 'posthog', 'ops-posthog', { projectApiKey: POSTHOG_KEY, host: posthog.url });
    const one = await operation(server, CAPTURE_EVENT, { id, input: { event: 'signup', distinctId: 'user-1', properties: { plan: 'pro' } } });
    expect(one).toMatchObject({ __typename: 'MutationCaptureEventSuccess', data: { accepted: 1 } });
    const batch = await operation(server, CAPTURE_EVENTS, { id, events: [{ event: 'a', distinctId: 'u2' }, { event: 'b', distinctId: 'u3' }] });
    expect(batch.data.accepted).toBe(2);
    expect(posthog.events.map((e) => [e.event, e.distinct_id])).toEqual([
      ['signup', 'user-1'],
      ['a', 'u2'],
      ['b', 'u3'],
    ]);
    expect(posthog.events[0]!.properties.plan).toBe('pro');
  });
});

describe('WORKFLOW and INTEGRATION', () => {
  it('http-workflow: triggerWorkflow posts the input to the trigger URL and returns the run id', async () => {
    const id = await createInstance(server, 'http-workflow', 'ops-workflow', { triggerUrl: workflows.triggerUrl, authHeaderName: 'X-N8N-Auth', authHeaderValue: WORKFLOW_AUTH });
    const run = await operation(server, TRIGGER_WORKFLOW, { id, workflowId: 'order-sync', input: { orderId: 7 } });
    expect(run.__typename).toBe('MutationTriggerWorkflowSuccess');
    expect(workflows.runs).toHaveLength(1);
    expect(workflows.runs[0]).toMatchObject({ workflowId: 'order-sync', input: { orderId: 7 } });
    expect(run.data.runId).toBe(workflows.runs[0]!.executionId);
  });

  it('webhook: deliverEvent posts a signed delivery', async () => {
    const id = await createInstance(server, 'webhook', 'ops-webhook', { url: receiver.hookUrl, signingSecret: HOOK_SECRET });
    const delivered = await operation(server, DELIVER_EVENT, { id, event: 'order.paid', payload: { orderId: 9 } });
    expect(delivered.__typename).toBe('MutationDeliverEventSuccess');
    expect(receiver.deliveries).toHaveLength(1);
    expect(receiver.deliveries[0]!.body).toMatchObject({ action: 'order.paid', payload: { orderId: 9 } });
    const raw = receiver.requests.at(-1)!;
    expect(Object.values(raw.headers)).toContain(signatureOf(HOOK_SECRET, raw.body));
  });
});

describe('the call log', () => {
  it('records every call without payload values, and the instance shows its stats', async () => {
    const id = await createInstance(server, 'stripe', 'ops-stripe-log', { secretKey: STRIPE_KEY, apiBaseUrl: stripe.url });
    await operation(server, CREATE_PAYMENT, { id, input: { amountMinor: 777, currency: 'EUR', paymentMethod: 'pm_card_visa', metadata: { customer: 'PAYLOAD-CANARY' } } });
    await operation(server, CREATE_PAYMENT, { id, input: { amountMinor: 1000, currency: 'EUR', paymentMethod: 'pm_card_chargeDeclined' } });
    await operation(server, CREATE_PAYMENT, { id, input: { amountMinor: -1, currency: 'EUR', paymentMethod: 'pm_card_visa' } });
    // Rows are written after the answer; wait until all three are there.
    let log: any;
    await expect
      .poll(async () => {
        log = (await server.gql(CALL_LOG, { id })).body.data.pluginInstance;
        return log.operationCalls.length;
      })
      .toBe(3);
    expect(log.operations).toEqual(['createPayment', 'capturePayment', 'refundPayment']);
    expect(log.operationCalls.map((c: { outcome: string }) => c.outcome).sort()).toEqual(['error', 'rejected', 'success']);
    const failed = log.operationCalls.find((c: { outcome: string }) => c.outcome === 'error');
    expect(failed).toMatchObject({ operation: 'createPayment', caller: expect.stringMatching(/^token:/), errorType: 'OperationFailedError', vendorStatus: 402, timedOut: false });
    expect(log.operationStats).toMatchObject({ windowHours: 24, calls: 3, errors: 1, errorRate: 0.5 });
    expect(log.operationStats.p95LatencyMs).toBeGreaterThanOrEqual(0);
    expect(log.operationStats.perHour.reduce((n: number, h: { calls: number }) => n + h.calls, 0)).toBe(3);
    expect(log.operationStats.lastFailures.map((f: { outcome: string }) => f.outcome).sort()).toEqual(['error', 'rejected']);
    // The log holds who, what and how, never the payload.
    const rows = await server.running.services.prisma.operationCall.findMany({ where: { instanceId: id } });
    expect(JSON.stringify(rows)).not.toContain('PAYLOAD-CANARY');
    expect(JSON.stringify(rows)).not.toContain('777');
  });
});

describe('the same operations through REST', () => {
  it('NOTIFICATION: slack, whatsapp-business, smtp-email and example-echo', async () => {
    const slackId = await createInstance(server, 'slack', 'rest-slack', { mode: 'bot', botToken: SLACK_TOKEN, defaultChannel: '#alerts', apiBaseUrl: slack.apiBaseUrl, testPostsMessage: false });
    const posted = await restOperation(server, slackId, 'sendNotification', { recipient: '#alerts', message: 'via REST' });
    expect(posted.status, posted.text).toBe(200);
    expect(posted.body.messageId).toMatch(/^\d+\.\d{6}$/);
    expect(slack.posts.at(-1)).toMatchObject({ channel: 'C0ALERTS01', body: { text: 'via REST' } });

    const whatsappId = await createInstance(server, 'whatsapp-business', 'rest-whatsapp', {
      phoneNumber: '+15550100200',
      apiToken: WHATSAPP_TOKEN,
      businessAccountId: '102290129340398',
      phoneNumberId: '106540352242922',
      apiVersion: 'v21.0',
      apiBaseUrl: whatsapp.url,
    });
    const texted = await restOperation(server, whatsappId, 'sendNotification', { recipient: '+15557654321', message: 'REST text' });
    expect(texted.status, texted.text).toBe(200);
    expect(whatsapp.sent.at(-1)).toMatchObject({ id: texted.body.messageId, body: { type: 'text', text: { body: 'REST text' } } });

    const smtpId = await createInstance(server, 'smtp-email', 'rest-smtp', { host: '127.0.0.1', port: smtp.port, tlsMode: 'starttls', allowSelfSigned: true, username: 'mailer', password: SMTP_PASSWORD, fromAddress: 'alerts@example.com' });
    const mailed = await restOperation(server, smtpId, 'sendNotification', { recipient: 'rest@example.org', subject: 'REST mail', message: 'body' });
    expect(mailed.status, mailed.text).toBe(200);
    expect(smtp.messages.at(-1)!.headers.subject).toBe('REST mail');

    const echoId = await createInstance(server, 'example-echo', 'rest-echo', { senderName: 'Ops', apiToken: 'echo-ops-token' });
    const echoed = await restOperation(server, echoId, 'sendNotification', { recipient: 'r', message: 'm' });
    expect(echoed.status).toBe(200);
    expect(echoed.body.messageId).toBeTruthy();
  });

  it('PAYMENT: stripe create, capture and refund; an idempotent repeat makes one vendor call', async () => {
    const id = await createInstance(server, 'stripe', 'rest-stripe', { secretKey: STRIPE_KEY, apiBaseUrl: stripe.url, captureMethod: 'manual' });
    const before = stripe.requests.filter((r) => r.path === '/v1/payment_intents').length;
    const created = await restOperation(server, id, 'createPayment', { amountMinor: 2000, currency: 'USD', paymentMethod: 'pm_card_visa' }, { key: 'rest-order-1' });
    const repeated = await restOperation(server, id, 'createPayment', { amountMinor: 2000, currency: 'USD', paymentMethod: 'pm_card_visa' }, { key: 'rest-order-1' });
    expect(created.status, created.text).toBe(200);
    expect(repeated.body).toEqual(created.body);
    expect(stripe.requests.filter((r) => r.path === '/v1/payment_intents').length).toBe(before + 1);
    expect(created.body).toMatchObject({ status: 'requires_capture', amountMinor: 2000, currency: 'USD' });
    const captured = await restOperation(server, id, 'capturePayment', { paymentId: created.body.paymentId });
    expect(captured.body.status).toBe('succeeded');
    const refunded = await restOperation(server, id, 'refundPayment', { paymentId: created.body.paymentId, amountMinor: 500, currency: 'USD' });
    expect(refunded.status, refunded.text).toBe(200);
    expect(refunded.body).toMatchObject({ amountMinor: 500 });
    expect(new URLSearchParams(stripe.requests.filter((r) => r.path === '/v1/refunds').at(-1)!.body).get('amount')).toBe('500');

    const declined = await restOperation(server, id, 'createPayment', { amountMinor: 2000, currency: 'USD', paymentMethod: 'pm_card_chargeDeclined' });
    expect(declined.status).toBe(502);
    expect(declined.body.errors[0].extensions).toMatchObject({ code: 'OPERATION_FAILED', vendor_status: 402 });
    const invalid = await restOperation(server, id, 'createPayment', { amountMinor: 1, currency: 'XXX1', paymentMethod: 'pm_card_visa' });
    expect(invalid.status).toBe(400);
    expect(invalid.body.errors[0].extensions.field_errors).toEqual([expect.objectContaining({ field: 'currency' })]);
  });

  it('STORAGE: local-storage and s3-storage store (base64), signed download, list, delete', async () => {
    const localId = await createInstance(server, 'local-storage', 'rest-local', { baseDirectory: join(storageDir, 'rest'), createIfMissing: true });
    const s3Id = await createInstance(server, 's3-storage', 'rest-s3', { endpoint: s3.endpoint, region: 'eu-central-1', bucket: 'plugform-files', accessKeyId: 'AKIAOPSTEST', secretAccessKey: S3_SECRET, forcePathStyle: true, keyPrefix: 'rest/' });
    for (const id of [localId, s3Id]) {
      const stored = await restOperation(server, id, 'storeFile', { key: 'docs/readme.txt', contentBase64: Buffer.from('REST bytes').toString('base64'), contentType: 'text/plain' });
      expect(stored.status, stored.text).toBe(200);
      expect(stored.body).toMatchObject({ key: 'docs/readme.txt', size: 10 });
      const link = await restOperation(server, id, 'createFileDownloadUrl', { key: 'docs/readme.txt' });
      expect(await (await fetch(link.body.url)).text()).toBe('REST bytes');
      const listed = await restOperation(server, id, 'listFiles', { prefix: 'docs/' });
      expect(listed.body.files.map((f: { key: string }) => f.key)).toEqual(['docs/readme.txt']);
      const deleted = await restOperation(server, id, 'deleteFile', { key: 'docs/readme.txt' });
      expect(deleted.body).toEqual({ key: 'docs/readme.txt', deleted: true });
    }
    expect(s3.objects.get('plugform-files')!.has('rest/docs/readme.txt')).toBe(false);
  });

  it('SEARCH: meilisearch index and search', async () => {
    const id = await createInstance(server, 'meilisearch', 'rest-meili', { host: meili.url, apiKey: MEILI_KEY });
    const indexed = await restOperation(server, id, 'indexDocuments', { index: 'books', documents: [{ id: 'b1', document: { title: 'Dune' } }] });
    expect(indexed.body).toEqual({ index: 'books', indexed: 1 });
    await restOperation(server, id, 'indexDocuments', { index: 'books', documents: [{ id: 'b2', document: { title: 'Dune Messiah', genre: 'sequel' } }] });
    const found = await restOperation(server, id, 'searchDocuments', { index: 'books', query: 'dune' });
    expect(found.body.hits.map((h: { id: string }) => h.id)).toEqual(['b1', 'b2']);
    expect(found.body.hits[0]).toMatchObject({ id: 'b1', document: expect.objectContaining({ title: 'Dune' }) });
    const filtered = await restOperation(server, id, 'searchDocuments', { index: 'books', query: 'dune', filter: 'genre = sequel', limit: 5 });
    expect(filtered.status, filtered.text).toBe(200);
    expect(filtered.body).toMatchObject({ hits: [expect.objectContaining({ id: 'b2' })], limit: 5, offset: 0 });
    expect(JSON.parse(meili.requests.filter((r) => r.path === '/indexes/books/search').at(-1)!.body)).toEqual({ q: 'dune', filter: 'genre = sequel', limit: 5, showRankingScore: true });
  });

  it.skipIf(slapdUnavailableReason() !== undefined)('AUTHENTICATION: ldap verifyCredentials', async () => {
    const id = await createInstance(server, 'ldap', 'rest-ldap', { url: slapd!.url, bindDn: 'cn=plugform,ou=services,dc=example,dc=org', bindPassword: LDAP_SERVICE_PASSWORD, baseDn: 'ou=people,dc=example,dc=org', userFilter: '(uid={username})', attributes: ['uid', 'cn'] });
    const verified = await restOperation(server, id, 'verifyCredentials', { username: 'alice', password: LDAP_USER_PASSWORD });
    expect(verified.status, verified.text).toBe(200);
    expect(verified.body).toMatchObject({ authenticated: true, subject: 'uid=alice,ou=people,dc=example,dc=org' });
  });

  it('ANALYTICS, WORKFLOW, INTEGRATION: posthog, http-workflow, webhook', async () => {
    const posthogId = await createInstance(server, 'posthog', 'rest-posthog', { projectApiKey: POSTHOG_KEY, host: posthog.url });
    const captured = await restOperation(server, posthogId, 'captureEvents', { events: [{ event: 'rest-event', distinctId: 'u9' }] });
    expect(captured.body).toEqual({ accepted: 1 });
    expect(posthog.events.at(-1)).toMatchObject({ event: 'rest-event', distinct_id: 'u9' });
    const single = await restOperation(server, posthogId, 'captureEvent', { event: 'rest-single', distinctId: 'u10', properties: { plan: 'team' } }, { key: 'rest-capture-1' });
    expect(single.status, single.text).toBe(200);
    expect(single.body).toEqual({ accepted: 1 });
    expect(posthog.events.at(-1)).toMatchObject({ event: 'rest-single', distinct_id: 'u10', properties: expect.objectContaining({ plan: 'team' }) });

    const workflowId = await createInstance(server, 'http-workflow', 'rest-workflow', { triggerUrl: workflows.triggerUrl, authHeaderName: 'X-N8N-Auth', authHeaderValue: WORKFLOW_AUTH });
    const run = await restOperation(server, workflowId, 'triggerWorkflow', { workflowId: 'order-sync', input: { orderId: 8 } });
    expect(run.body.runId).toBe(workflows.runs.at(-1)!.executionId);

    const hookId = await createInstance(server, 'webhook', 'rest-webhook', { url: receiver.hookUrl, signingSecret: HOOK_SECRET });
    const delivered = await restOperation(server, hookId, 'deliverEvent', { event: 'rest.ping', payload: { n: 1 } });
    expect(delivered.status, delivered.text).toBe(200);
    expect(receiver.deliveries.at(-1)!.body).toMatchObject({ action: 'rest.ping', payload: { n: 1 } });
  });
});

describe('a vendor that never answers', () => {
  const TIMEOUT_MS = 300;
  let hasty: TestServer;
  let hanging: Vendor;
  beforeAll(async () => {
    [hasty, hanging] = await Promise.all([startTestServer({ env: { PLUGFORM_OPERATION_TIMEOUT_MS: String(TIMEOUT_MS) } }), startVendor()]);
    hanging.hangPaths.add('/hook');
  });
  afterAll(async () => {
    expect(hasty.responses.map((r) => r.text).join('\n')).not.toContain(HOOK_SECRET);
    await Promise.all([hasty?.close(), hanging?.close()]);
  });

  it('the call ends at PLUGFORM_OPERATION_TIMEOUT_MS with OperationFailedError { timedOut: true }, its vendor request aborted, logged as a timeout, and the server keeps serving', async () => {
    // The plugin's own timeout (30 s) is far beyond the operation's: the operation timeout decides.
    const id = await createInstance(hasty, 'webhook', 'ops-hanging-webhook', { url: `${hanging.url}/hook`, signingSecret: HOOK_SECRET, retryCount: 0, timeoutSeconds: 30 });
    const timedOut = await operation(hasty, DELIVER_EVENT, { id, event: 'order.paid', payload: { orderId: 1 } });
    expect(timedOut).toMatchObject({ __typename: 'OperationFailedError', operation: 'deliverEvent', pluginName: 'webhook', timedOut: true, vendorStatus: null });
    expect(timedOut.message).toContain(`did not finish within ${TIMEOUT_MS} ms`);
    expect(hanging.requests.map((r) => r.path)).toEqual(['/hook']);

    const overRest = await restOperation(hasty, id, 'deliverEvent', { event: 'order.paid', payload: { orderId: 2 } });
    expect(overRest.status).toBe(502);
    expect(overRest.body.errors[0].extensions).toMatchObject({ code: 'OPERATION_FAILED', timed_out: true });
    // The request the plugin made is given up too, not left open until the plugin's own timeout.
    await expect.poll(() => hanging.openConnections).toBe(0);

    let calls: { outcome: string; errorType: string; errorMessage: string }[] = [];
    await expect
      .poll(async () => {
        calls = (await hasty.gql(CALL_LOG, { id })).body.data.pluginInstance.operationCalls;
        return calls.length;
      })
      .toBe(2);
    for (const call of calls) {
      expect(call).toMatchObject({ outcome: 'error', errorType: 'OperationFailedError', timedOut: true, errorMessage: expect.stringContaining(`did not finish within ${TIMEOUT_MS} ms`) });
    }

    // Still serving: another instance's operation goes through while the vendor hangs.
    const echo = await createInstance(hasty, 'example-echo', 'ops-after-timeout', { senderName: 'Ops', apiToken: 'echo-ops-token' });
    expect((await operation(hasty, SEND_NOTIFICATION, { id: echo, input: { recipient: 'r', message: 'still here' } })).__typename).toBe('MutationSendNotificationSuccess');
  });
});

describe('/metrics without PLUGFORM_METRICS_TOKEN', () => {
  it('is off', async () => {
    const response = await fetch(`${server.url}/metrics`);
    expect(response.status).toBe(404);
  });
});
