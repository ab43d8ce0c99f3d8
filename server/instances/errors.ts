/**
 * Errors of the instance lifecycle. Each is typed and carries what it is about, so the API
 * can turn it into data the client reacts to (field errors, a stale version, a missing id).
 * None of them ever carries a secret value.
 */
import type { FieldError } from '../../plugins/sdk/index.ts';

export class ValidationError extends Error {
  override readonly name = 'ValidationError';
  readonly fieldErrors: readonly FieldError[];
  constructor(fieldErrors: readonly FieldError[], message?: string) {
    super(message ?? `Invalid configuration: ${fieldErrors.map((e) => e.message).join('; ')}`);
    this.fieldErrors = fieldErrors;
  }
}

export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
  readonly resource: string;
  readonly id: string;
  constructor(resource: string, id: string) {
    super(`${resource} "${id}" does not exist`);
    this.resource = resource;
    this.id = id;
  }
}

/** The instance changed since the caller read it: reload and apply the edit again. */
export class ConflictError extends Error {
  override readonly name = 'ConflictError';
  readonly instanceId: string;
  readonly expectedVersion: number;
  readonly currentVersion: number | undefined;
  constructor(instanceId: string, expectedVersion: number, currentVersion?: number) {
    super(
      `Plugin instance "${instanceId}" was changed by someone else (you edited version ${expectedVersion}` +
        `${currentVersion === undefined ? '' : `, it is now at version ${currentVersion}`}); reload it and apply your change again`,
    );
    this.instanceId = instanceId;
    this.expectedVersion = expectedVersion;
    this.currentVersion = currentVersion;
  }
}

/** The plugin is not loaded (unknown name, failed to load) or its provider refused to start. */
export class PluginUnavailableError extends Error {
  override readonly name: string = 'PluginUnavailableError';
  readonly pluginName: string;
  constructor(pluginName: string, reason: string) {
    super(`Plugin "${pluginName}" is unavailable: ${reason}`);
    this.pluginName = pluginName;
  }
}

/** `createProvider()` refused the configuration (threw, hung or broke its contract); the previous provider (if any) stays live. */
export class ConfigureError extends Error {
  override readonly name = 'ConfigureError';
  readonly pluginName: string;
  constructor(pluginName: string, reason: string) {
    super(`Plugin "${pluginName}" refused the configuration: ${reason}`);
    this.pluginName = pluginName;
  }
}

/**
 * Secrets the database records as set that the secret store cannot supply. The provider
 * refuses to start rather than run without them (a webhook would go out unsigned, a call
 * unauthenticated). The message names the keys and the likely cause, never a value.
 */
export class MissingSecretError extends PluginUnavailableError {
  override readonly name = 'MissingSecretError';
  readonly instanceId: string;
  readonly keys: readonly string[];
  constructor(pluginName: string, instanceId: string, keys: readonly string[], cause: string) {
    const list = keys.map((key) => `"${key}"`).join(', ');
    super(
      pluginName,
      `instance "${instanceId}" has ${keys.length === 1 ? 'secret' : 'secrets'} ${list} recorded as set, but ${cause}. ` +
        'Nothing was sent without it; enter the secret again (update the instance) if it is really lost.',
    );
    this.instanceId = instanceId;
    this.keys = keys;
  }
}

/** The instance exists but has no live provider (disabled, or it failed to start). */
export class InstanceUnavailableError extends Error {
  override readonly name = 'InstanceUnavailableError';
  readonly instanceId: string;
  readonly status: string;
  constructor(instanceId: string, status: string, reason?: string | null) {
    super(
      status === 'inactive'
        ? `Plugin instance "${instanceId}" is disabled; enable it to call its operations`
        : `Plugin instance "${instanceId}" is not running (${status}${reason ? `: ${reason}` : ''})`,
    );
    this.instanceId = instanceId;
    this.status = status;
  }
}
