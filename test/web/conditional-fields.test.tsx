/**
 * Conditional fields in the form renderer: choosing a mode shows its fields and hides the
 * others at once; what was typed into a hidden field stays in the form (it comes back when
 * the field does) but is not submitted; a shown required field is required, a hidden one not.
 */
import { describe, expect, it } from 'vitest';
import type { FieldSpec } from '../../plugins/sdk/index.ts';
import { toFormSchema } from '../../web/src/form/schema.ts';
import { choose, fieldOf, renderForm, screen, type } from './helpers.tsx';

const WEBHOOK_URL = 'https://hooks.example.test/services/T0/B0/typed';
const fields: FieldSpec[] = [
  {
    key: 'mode',
    label: 'Mode',
    type: 'SELECT',
    required: true,
    default: 'webhook',
    options: [
      { value: 'webhook', label: 'Incoming webhook' },
      { value: 'bot', label: 'Bot token' },
    ],
  },
  { key: 'webhookUrl', label: 'Webhook URL', type: 'SECRET', required: true, visibleWhen: { field: 'mode', equals: 'webhook' } },
  { key: 'botToken', label: 'Bot Token', type: 'SECRET', required: true, visibleWhen: { field: 'mode', equals: 'bot' } },
  { key: 'channel', label: 'Channel', type: 'STRING', visibleWhen: { field: 'mode', equals: 'bot' } },
];

const shownKeys = (container: HTMLElement) => [...container.querySelectorAll<HTMLElement>('[data-field]:not([hidden])')].map((el) => el.dataset.field);
const modeTrigger = () => screen.getByRole('button', { name: /^Mode/ });

describe('conditional fields', () => {
  it('shows the fields of the chosen value only, and keeps what was typed into hidden ones without submitting it', async () => {
    const { container, lastChange } = renderForm({ fields });
    expect(shownKeys(container)).toEqual(['mode', 'webhookUrl']);
    type(screen.getByLabelText(/^Webhook URL/), WEBHOOK_URL);

    await choose(modeTrigger(), 'Bot token');
    expect(shownKeys(container)).toEqual(['mode', 'botToken', 'channel']);
    type(screen.getByLabelText(/^Channel/), '#ops');
    expect(lastChange()).toEqual({ values: { mode: 'bot', channel: '#ops' }, secrets: {} });

    await choose(modeTrigger(), 'Incoming webhook');
    expect(shownKeys(container)).toEqual(['mode', 'webhookUrl']);
    expect((screen.getByLabelText(/^Webhook URL/) as HTMLInputElement).value).toBe(WEBHOOK_URL);
    expect(lastChange()).toEqual({ values: { mode: 'webhook' }, secrets: { webhookUrl: WEBHOOK_URL } });

    await choose(modeTrigger(), 'Bot token');
    expect((screen.getByLabelText(/^Channel/) as HTMLInputElement).value).toBe('#ops');
  });

  it('requires a shown field, saying when, and never a hidden one', async () => {
    const { container, submit, onSubmit } = renderForm({ fields });
    await choose(modeTrigger(), 'Bot token');
    submit();
    expect(onSubmit).not.toHaveBeenCalled();
    expect(fieldOf(container, 'botToken').querySelector('.pf-field__error')?.textContent).toBe('Bot Token is required when Mode is "Bot token"');

    type(screen.getByLabelText(/^Bot Token/), 'xoxb-typed');
    submit();
    expect(onSubmit).toHaveBeenCalledWith({ values: { mode: 'bot' }, secrets: { botToken: 'xoxb-typed' } });
  });

  it('hides a section whose fields are all hidden', async () => {
    const grouped = fields.map((field) => (field.key === 'botToken' || field.key === 'channel' ? { ...field, group: 'Bot' } : field));
    renderForm({ fields: grouped, groups: ['Bot'] });
    const section = () => screen.getByText('Bot', { selector: 'legend' }).closest('fieldset')!;
    expect(section().hidden).toBe(true);
    await choose(modeTrigger(), 'Bot token');
    expect(section().hidden).toBe(false);
  });

  it('hides a block of sections (form.css: .pf-form__block) whose sections are all hidden, so it leaves no gap', async () => {
    // Four sections make two blocks of two: [ungrouped, Delivery] and [Bot, Bot channel].
    const grouped = fields.map((field) =>
      field.key === 'webhookUrl' ? { ...field, group: 'Delivery' } : field.key === 'botToken' ? { ...field, group: 'Bot' } : field.key === 'channel' ? { ...field, group: 'Bot channel' } : field,
    );
    const { container } = renderForm({ fields: grouped, groups: ['Delivery', 'Bot', 'Bot channel'] });
    const blocks = () => [...container.querySelectorAll<HTMLElement>('.pf-form__block')];
    const legendsOf = (block: HTMLElement) => [...block.querySelectorAll('legend')].map((legend) => legend.textContent);
    expect(blocks().map(legendsOf)).toEqual([['Delivery'], ['Bot', 'Bot channel']]);
    expect(blocks().map((block) => block.hidden)).toEqual([false, true]);
    await choose(modeTrigger(), 'Bot token');
    expect(blocks().map((block) => block.hidden)).toEqual([false, false]);
    expect(blocks()[0]!.querySelector('fieldset')!.hidden).toBe(true); // Delivery: only the webhook
  });

  it('drops the error of a field the change hides', async () => {
    const { container, submit } = renderForm({ fields });
    submit();
    expect(fieldOf(container, 'webhookUrl').querySelector('.pf-field__error')?.textContent).toBe('Webhook URL is required when Mode is "Incoming webhook"');
    await choose(modeTrigger(), 'Bot token');
    expect(screen.queryByTestId('error-summary')?.textContent ?? '').not.toContain('Webhook URL');
    await choose(modeTrigger(), 'Incoming webhook');
    expect(fieldOf(container, 'webhookUrl').querySelector('.pf-field__error')?.textContent).toBe('Webhook URL is required when Mode is "Incoming webhook"');
  });

  it('reads the condition GraphQL states (field and values) as the SDK\'s', () => {
    const [spec] = toFormSchema([{ key: 'channel', label: 'Channel', type: 'STRING', visibleWhen: { field: 'mode', values: ['bot', 'app'] } }]);
    expect(spec?.visibleWhen).toEqual({ field: 'mode', in: ['bot', 'app'] });
    expect(toFormSchema([{ key: 'name', label: 'Name', type: 'STRING', visibleWhen: null }])[0]).not.toHaveProperty('visibleWhen');
  });
});
