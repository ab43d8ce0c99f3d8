/**
 * Example Echo: a notification plugin that sends nothing anywhere. Each provider keeps the
 * messages it was asked to send in memory, which makes it a safe plugin to try the console
 * with and a small, complete example of `definePlugin`.
 */
import { definePlugin, type NotificationMessage, type NotificationProvider } from '../sdk/index.ts';

export interface EchoedMessage extends NotificationMessage {
  sender: string;
}

/** The provider's own extra: what it recorded (the platform only sees `NotificationProvider`). */
export interface EchoProvider extends NotificationProvider {
  messages(): EchoedMessage[];
}

export default definePlugin({
  name: 'example-echo',
  displayName: 'Example Echo',
  type: 'NOTIFICATION',
  version: '1.0.0',
  description: 'Records notifications in memory instead of sending them.',
  author: 'Plugform',
  tags: ['example', 'testing'],
  supportsHealthCheck: true,
  supportsTestConnection: true,
  groups: ['Basic', 'Limits'],
  fields: [
    {
      key: 'senderName',
      label: 'Sender Name',
      type: 'STRING',
      description: 'Shown as the sender of every recorded message',
      required: true,
      maxLength: 64,
      group: 'Basic',
      order: 1,
    },
    {
      key: 'apiToken',
      label: 'API Token',
      type: 'SECRET',
      description: 'Any token starting with "echo-"; a connection test checks it',
      required: true,
      validationRules: [{ type: 'pattern', value: '^echo-', message: 'API Token must start with "echo-"' }],
      group: 'Basic',
      order: 2,
    },
    {
      key: 'maxMessages',
      label: 'Max Messages',
      type: 'INTEGER',
      description: 'How many messages are kept; older ones are dropped',
      default: 100,
      minValue: 1,
      maxValue: 10_000,
      group: 'Limits',
      order: 3,
    },
  ],
  createProvider(config) {
    const sent: EchoedMessage[] = [];
    return {
      async sendNotification(message) {
        sent.push({ ...message, sender: config.senderName });
        sent.splice(0, Math.max(0, sent.length - config.maxMessages));
        return { success: true, messageId: `echo-${sent.length}`, details: { recorded: sent.length } };
      },
      async healthCheck() {
        return { status: 'healthy', message: `${sent.length} message(s) recorded` };
      },
      async testConnection() {
        // The token itself is never echoed back: results must not carry secrets.
        return config.apiToken.startsWith('echo-')
          ? { success: true, message: 'token accepted' }
          : { success: false, message: 'token rejected' };
      },
      /** The recorded messages, oldest first. */
      messages(): EchoedMessage[] {
        return [...sent];
      },
    };
  },
});
