/**
 * Errors of calling an instance's operations. Each is typed and carries what it is about;
 * the API returns them as members of each operation's result union. None carries an input
 * value: messages name fields and causes only.
 */

// Raised by the instance service, which sits below operations; re-exported for its callers here.
export { InstanceUnavailableError } from '../instances/errors.ts';

/** The instance's plugin is of another type, or does not implement this optional operation. */
export class OperationNotSupportedError extends Error {
  override readonly name = 'OperationNotSupportedError';
  readonly operation: string;
  readonly pluginName: string;
  constructor(operation: string, pluginName: string, reason: string) {
    super(`${operation} is not available on ${pluginName}: ${reason}`);
    this.operation = operation;
    this.pluginName = pluginName;
  }
}

/** The caller's token may not call this operation on this instance. */
export class OperationForbiddenError extends Error {
  override readonly name = 'OperationForbiddenError';
  readonly operation: string;
  readonly instanceId: string;
  constructor(operation: string, instanceId: string, reason: string) {
    super(`Not allowed to call ${operation} on instance "${instanceId}": ${reason}`);
    this.operation = operation;
    this.instanceId = instanceId;
  }
}

/**
 * The plugin or its vendor failed the call. `message` is the plugin's, with the instance's
 * secrets (and the call's sensitive inputs, such as a password) redacted.
 */
export class OperationFailedError extends Error {
  override readonly name = 'OperationFailedError';
  readonly operation: string;
  readonly pluginName: string;
  /** 'threw' (the plugin or vendor refused) or 'timeout' (no answer within the operation timeout). */
  readonly reason: 'threw' | 'timeout';
  /** The HTTP status the vendor answered, when the plugin reports one. */
  readonly vendorStatus: number | undefined;
  /** The vendor's own error code (`card_declined`, `invalid_auth` …), when the plugin reports one. */
  readonly vendorCode: string | undefined;
  constructor(
    operation: string,
    pluginName: string,
    message: string,
    details: { reason: 'threw' | 'timeout'; vendorStatus?: number | undefined; vendorCode?: string | undefined },
  ) {
    super(message);
    this.operation = operation;
    this.pluginName = pluginName;
    this.reason = details.reason;
    this.vendorStatus = details.vendorStatus;
    this.vendorCode = details.vendorCode;
  }
}

/** The idempotency key was used before with another input, or its first call is still running. */
export class IdempotencyConflictError extends Error {
  override readonly name = 'IdempotencyConflictError';
  readonly inProgress: boolean;
  constructor(inProgress: boolean) {
    super(
      inProgress
        ? 'The first call with this idempotency key is still running; retry with the same key once it has finished'
        : 'This idempotency key was already used for another request (a different instance, operation or input); use a new key',
    );
    this.inProgress = inProgress;
  }
}
