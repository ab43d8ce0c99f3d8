/**
 * Errors returned as data (Pothos errors plugin): a mutation's result is a union of its
 * success type and the errors a client must react to. Anything else is unexpected and is
 * masked by yoga (logged with the request id).
 */
import type { FieldError } from '../../plugins/sdk/index.ts';
import { LimitExceededError } from '../access/check-budget.ts';
import { ConflictError, ConfigureError, NotFoundError, PluginUnavailableError, ValidationError } from '../instances/errors.ts';
import { builder } from './builder.ts';

export const ErrorInterface = builder.interfaceRef<Error>('Error').implement({
  description: 'An error a client can react to. `message` is written for a person.',
  fields: (t) => ({ message: t.exposeString('message') }),
});

const FieldErrorRef = builder.objectRef<FieldError>('FieldError').implement({
  description: 'What is wrong with one field. `field` is the configuration key (or `name` for the instance name).',
  fields: (t) => ({
    field: t.exposeString('field'),
    message: t.exposeString('message'),
    rule: t.exposeString('rule', { description: 'The check that failed: required, type, pattern, unknown, a rule type …' }),
  }),
});

builder.objectType(ValidationError, {
  name: 'ValidationError',
  interfaces: [ErrorInterface],
  fields: (t) => ({ fieldErrors: t.field({ type: [FieldErrorRef], resolve: (error) => [...error.fieldErrors] }) }),
});

builder.objectType(NotFoundError, {
  name: 'NotFoundError',
  interfaces: [ErrorInterface],
  fields: (t) => ({ resource: t.exposeString('resource'), id: t.exposeString('id') }),
});

builder.objectType(ConflictError, {
  name: 'ConflictError',
  description: 'The instance changed since the version you edited: reload it and apply your change again.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    expectedVersion: t.exposeInt('expectedVersion'),
    currentVersion: t.exposeInt('currentVersion', { nullable: true }),
  }),
});

builder.objectType(PluginUnavailableError, {
  name: 'PluginUnavailableError',
  interfaces: [ErrorInterface],
  fields: (t) => ({ pluginName: t.exposeString('pluginName') }),
});

builder.objectType(ConfigureError, {
  name: 'ConfigureError',
  description: "The plugin refused the configuration (its createProvider() threw or did not finish); nothing was saved and the live provider is unchanged.",
  interfaces: [ErrorInterface],
  fields: (t) => ({ pluginName: t.exposeString('pluginName') }),
});

builder.objectType(LimitExceededError, {
  name: 'LimitExceededError',
  description: 'A limit refused the call (contract 9); nothing ran. `limit` names the setting that decides it.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    limit: t.exposeString('limit', { description: 'The setting, e.g. PLUGFORM_MAX_CHECKS_PER_MINUTE.' }),
    max: t.exposeInt('max'),
    retryAfterSeconds: t.exposeInt('retryAfterSeconds', { nullable: true, description: 'When the call would be allowed again.' }),
  }),
});

/** The errors every instance mutation can return. */
export const INSTANCE_ERRORS = [ValidationError, NotFoundError, ConflictError, PluginUnavailableError, ConfigureError];

/** Connection tests and on-demand checks: outbound calls, bounded per request and per token. */
export const CHECK_ERRORS = [...INSTANCE_ERRORS, LimitExceededError];
