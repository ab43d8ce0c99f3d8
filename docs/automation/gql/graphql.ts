/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
export type CreatePluginInstanceInput = {
  /** Idempotency key (1–200 characters, per actor: the API token name): a retry with the same key answers as the first request did instead of applying it twice (a create that landed while its answer was lost is not a duplicate, a retried delete is not a NotFoundError, a retried update or enable/disable is not a ConflictError). */
  clientMutationId?: string | null | undefined;
  /** Values by field key (default {}). */
  configuration?: Record<string, unknown> | null | undefined;
  enabled?: boolean | null | undefined;
  /** Unique among the instances of this plugin. */
  name: string;
  pluginName: string;
  secrets?: Array<SecretInput> | null | undefined;
};

/** The stored status, written by the change that made it: ACTIVE: enabled and configured. INACTIVE: disabled. ERROR: written by earlier versions when an instance failed to start; whether a replica runs it now is in replicaProvider. */
export type InstanceStatus =
  | 'ACTIVE'
  | 'ERROR'
  | 'INACTIVE';

/** A change to one secret field: a value replaces it, null clears it, the mask keeps it. */
export type SecretInput = {
  key: string;
  value?: string | null | undefined;
};

export type SendNotificationInput = {
  message: string;
  /** Plugin-specific options (a WhatsApp template, Slack blocks …). */
  metadata?: Record<string, unknown> | null | undefined;
  /** Who gets it, in the vendor’s terms: a phone number, a channel, an email address. */
  recipient: string;
  subject?: string | null | undefined;
};

export type TestPluginInstanceConnectionInput = {
  /** Optional override merged over the stored configuration (stored secrets are kept unless replaced). */
  configuration?: Record<string, unknown> | null | undefined;
  id: string | number;
  secrets?: Array<SecretInput> | null | undefined;
};

export type UpdatePluginInstanceInput = {
  /** Idempotency key (1–200 characters, per actor: the API token name): a retry with the same key answers as the first request did instead of applying it twice (a create that landed while its answer was lost is not a duplicate, a retried delete is not a NotFoundError, a retried update or enable/disable is not a ConflictError). */
  clientMutationId?: string | null | undefined;
  /** A patch: given keys replace, null removes a key, omitted keys keep their value. */
  configuration?: Record<string, unknown> | null | undefined;
  id: string | number;
  name?: string | null | undefined;
  secrets?: Array<SecretInput> | null | undefined;
  /** The version you edit (from the instance you read). */
  version: number;
};

export type CreateInstanceMutationVariables = Exact<{
  input: CreatePluginInstanceInput;
}>;


export type CreateInstanceMutation = { createPluginInstance:
    | { __typename: 'ConfigureError', message: string }
    | { __typename: 'ConflictError', message: string }
    | { __typename: 'MutationCreatePluginInstanceSuccess', data: { id: string, name: string, version: number, status: InstanceStatus, configuration: Record<string, unknown> } }
    | { __typename: 'NotFoundError', message: string }
    | { __typename: 'PluginUnavailableError', message: string }
    | { __typename: 'ValidationError', message: string, fieldErrors: Array<{ field: string, message: string }> }
   };

export type TestInstanceMutationVariables = Exact<{
  input: TestPluginInstanceConnectionInput;
}>;


export type TestInstanceMutation = { testPluginInstanceConnection:
    | { __typename: 'ConfigureError', message: string }
    | { __typename: 'ConflictError', message: string }
    | { __typename: 'LimitExceededError', message: string }
    | { __typename: 'MutationTestPluginInstanceConnectionSuccess', data: { success: boolean, message: string, responseTimeMs: number } }
    | { __typename: 'NotFoundError', message: string }
    | { __typename: 'PluginUnavailableError', message: string }
    | { __typename: 'ValidationError', message: string }
   };

export type UpdateInstanceMutationVariables = Exact<{
  input: UpdatePluginInstanceInput;
}>;


export type UpdateInstanceMutation = { updatePluginInstance:
    | { __typename: 'ConfigureError', message: string }
    | { __typename: 'ConflictError', currentVersion: number | null, message: string }
    | { __typename: 'MutationUpdatePluginInstanceSuccess', data: { version: number, configuration: Record<string, unknown>, secrets: Array<{ key: string, isSet: boolean, updatedAt: string | null }> } }
    | { __typename: 'NotFoundError', message: string }
    | { __typename: 'PluginUnavailableError', message: string }
    | { __typename: 'ValidationError', message: string }
   };

export type SendNotificationMutationVariables = Exact<{
  instanceId: string | number;
  input: SendNotificationInput;
  idempotencyKey?: string | null | undefined;
}>;


export type SendNotificationMutation = { sendNotification:
    | { __typename: 'IdempotencyConflictError', message: string }
    | { __typename: 'InstanceUnavailableError', message: string }
    | { __typename: 'MutationSendNotificationSuccess', data: { messageId: string | null } }
    | { __typename: 'NotFoundError', message: string }
    | { __typename: 'OperationFailedError', vendorStatus: number | null, timedOut: boolean, message: string }
    | { __typename: 'OperationForbiddenError', message: string }
    | { __typename: 'OperationNotSupportedError', message: string }
    | { __typename: 'PluginUnavailableError', message: string }
    | { __typename: 'ValidationError', message: string, fieldErrors: Array<{ field: string, message: string }> }
   };


export const CreateInstanceDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CreateInstance"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CreatePluginInstanceInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createPluginInstance"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"MutationCreatePluginInstanceSuccess"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"data"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"configuration"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ValidationError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"fieldErrors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}}]} as unknown as DocumentNode<CreateInstanceMutation, CreateInstanceMutationVariables>;
export const TestInstanceDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"TestInstance"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"TestPluginInstanceConnectionInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"testPluginInstanceConnection"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"MutationTestPluginInstanceConnectionSuccess"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"data"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"success"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"responseTimeMs"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}}]} as unknown as DocumentNode<TestInstanceMutation, TestInstanceMutationVariables>;
export const UpdateInstanceDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"UpdateInstance"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UpdatePluginInstanceInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"updatePluginInstance"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"MutationUpdatePluginInstanceSuccess"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"data"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"configuration"}},{"kind":"Field","name":{"kind":"Name","value":"secrets"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"key"}},{"kind":"Field","name":{"kind":"Name","value":"isSet"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}}]}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ConflictError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"currentVersion"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}}]} as unknown as DocumentNode<UpdateInstanceMutation, UpdateInstanceMutationVariables>;
export const SendNotificationDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"SendNotification"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"instanceId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"SendNotificationInput"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"idempotencyKey"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sendNotification"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"instanceId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"instanceId"}}},{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}},{"kind":"Argument","name":{"kind":"Name","value":"idempotencyKey"},"value":{"kind":"Variable","name":{"kind":"Name","value":"idempotencyKey"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"MutationSendNotificationSuccess"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"data"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"messageId"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ValidationError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"fieldErrors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"OperationFailedError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"vendorStatus"}},{"kind":"Field","name":{"kind":"Name","value":"timedOut"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}}]} as unknown as DocumentNode<SendNotificationMutation, SendNotificationMutationVariables>;