import { definePlugin } from '../../plugins/sdk/index.ts';

export const p = definePlugin({
  name: 'x', type: 'NOTIFICATION', version: '1.0.0',
  fields: [
    { key: 'token', label: 'T', type: 'SECRET', required: true },
    { key: 'mode', label: 'M', type: 'SELECT', options: [{ value: 'a', label: 'A' }, { value: 'b', label: 'B' }], default: 'a' },
    { key: 'retries', label: 'R', type: 'INTEGER' },
    { key: 'tags', label: 'Tags', type: 'ARRAY', itemType: 'INTEGER' },
  ],
  createProvider(config) {
    const cfg: { token: string; mode: 'a' | 'b'; retries?: number; tags?: number[] } = config;
    const t: string = config.token; const m: 'a' | 'b' = config.mode; const r: number | undefined = config.retries; void t; void m; void r;
    // @ts-expect-error unknown key
    void config.nope;
    return {
      async sendNotification() { void cfg; return { success: true }; },
    };
  },
});
