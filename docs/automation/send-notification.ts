/**
 * Use an instance from your service: send a notification through an instance an admin
 * configured, with a service token that may do exactly that. The secret (a Slack token, a
 * WhatsApp token …) stays in Plugform; your service holds only its own token. The
 * idempotency key makes a retry safe: a repeat within 24 hours returns the first result and
 * the vendor is not called again.
 *
 *   PLUGFORM_TOKEN=pf_… npx tsx docs/automation/send-notification.ts <instance id> <recipient> <message>
 *
 * PLUGFORM_URL defaults to http://localhost:4000.
 */
import { randomUUID } from 'node:crypto';
import { execute, type Connection } from './create-test-update.ts';
import { graphql } from './gql/index.ts';

const SendNotification = graphql(`
  mutation SendNotification($instanceId: ID!, $input: SendNotificationInput!, $idempotencyKey: String) {
    sendNotification(instanceId: $instanceId, input: $input, idempotencyKey: $idempotencyKey) {
      __typename
      ... on MutationSendNotificationSuccess {
        data {
          messageId
        }
      }
      ... on ValidationError {
        fieldErrors {
          field
          message
        }
      }
      ... on OperationFailedError {
        vendorStatus
        timedOut
      }
      ... on Error {
        message
      }
    }
  }
`);

/** Sends one message; retries once with the same key, as a service would after a network error. */
export async function sendNotification(connection: Connection, instanceId: string, recipient: string, message: string, log: (line: string) => void = console.log): Promise<string> {
  const idempotencyKey = randomUUID();
  const send = () => execute(connection, SendNotification, { instanceId, input: { recipient, message }, idempotencyKey });
  const first = (await send()).sendNotification;
  if (first.__typename !== 'MutationSendNotificationSuccess') {
    const fields = first.__typename === 'ValidationError' ? ` (${first.fieldErrors.map((e) => e.field).join(', ')})` : '';
    throw new Error(`${first.__typename}: ${first.message}${fields}`);
  }
  const messageId = first.data.messageId ?? '(no id)';
  log(`sent: message ${messageId}`);
  // The retry returns the first result: the same message id, nothing sent twice.
  const retried = (await send()).sendNotification;
  if (retried.__typename === 'MutationSendNotificationSuccess') log(`retried with the same key: message ${retried.data.messageId ?? '(no id)'}`);
  return messageId;
}

if (process.argv[1] && import.meta.filename === (await import('node:fs')).realpathSync(process.argv[1])) {
  const token = process.env.PLUGFORM_TOKEN;
  const [instanceId, recipient, message] = process.argv.slice(2);
  if (!token || !instanceId || !recipient || !message) {
    console.error('Usage: PLUGFORM_TOKEN=pf_… npx tsx docs/automation/send-notification.ts <instance id> <recipient> <message>');
    process.exit(2);
  }
  try {
    await sendNotification({ url: process.env.PLUGFORM_URL ?? 'http://localhost:4000', token }, instanceId, recipient, message);
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
}
