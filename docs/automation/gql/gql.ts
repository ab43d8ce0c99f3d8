/* eslint-disable */
import * as types from './graphql.ts';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  mutation CreateInstance($input: CreatePluginInstanceInput!) {\n    createPluginInstance(input: $input) {\n      __typename\n      ... on MutationCreatePluginInstanceSuccess {\n        data {\n          id\n          name\n          version\n          status\n          configuration\n        }\n      }\n      ... on ValidationError {\n        fieldErrors {\n          field\n          message\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": typeof types.CreateInstanceDocument,
    "\n  mutation TestInstance($input: TestPluginInstanceConnectionInput!) {\n    testPluginInstanceConnection(input: $input) {\n      __typename\n      ... on MutationTestPluginInstanceConnectionSuccess {\n        data {\n          success\n          message\n          responseTimeMs\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": typeof types.TestInstanceDocument,
    "\n  mutation UpdateInstance($input: UpdatePluginInstanceInput!) {\n    updatePluginInstance(input: $input) {\n      __typename\n      ... on MutationUpdatePluginInstanceSuccess {\n        data {\n          version\n          configuration\n          secrets {\n            key\n            isSet\n            updatedAt\n          }\n        }\n      }\n      ... on ConflictError {\n        currentVersion\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": typeof types.UpdateInstanceDocument,
    "\n  mutation SendNotification($instanceId: ID!, $input: SendNotificationInput!, $idempotencyKey: String) {\n    sendNotification(instanceId: $instanceId, input: $input, idempotencyKey: $idempotencyKey) {\n      __typename\n      ... on MutationSendNotificationSuccess {\n        data {\n          messageId\n        }\n      }\n      ... on ValidationError {\n        fieldErrors {\n          field\n          message\n        }\n      }\n      ... on OperationFailedError {\n        vendorStatus\n        timedOut\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": typeof types.SendNotificationDocument,
};
const documents: Documents = {
    "\n  mutation CreateInstance($input: CreatePluginInstanceInput!) {\n    createPluginInstance(input: $input) {\n      __typename\n      ... on MutationCreatePluginInstanceSuccess {\n        data {\n          id\n          name\n          version\n          status\n          configuration\n        }\n      }\n      ... on ValidationError {\n        fieldErrors {\n          field\n          message\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": types.CreateInstanceDocument,
    "\n  mutation TestInstance($input: TestPluginInstanceConnectionInput!) {\n    testPluginInstanceConnection(input: $input) {\n      __typename\n      ... on MutationTestPluginInstanceConnectionSuccess {\n        data {\n          success\n          message\n          responseTimeMs\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": types.TestInstanceDocument,
    "\n  mutation UpdateInstance($input: UpdatePluginInstanceInput!) {\n    updatePluginInstance(input: $input) {\n      __typename\n      ... on MutationUpdatePluginInstanceSuccess {\n        data {\n          version\n          configuration\n          secrets {\n            key\n            isSet\n            updatedAt\n          }\n        }\n      }\n      ... on ConflictError {\n        currentVersion\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": types.UpdateInstanceDocument,
    "\n  mutation SendNotification($instanceId: ID!, $input: SendNotificationInput!, $idempotencyKey: String) {\n    sendNotification(instanceId: $instanceId, input: $input, idempotencyKey: $idempotencyKey) {\n      __typename\n      ... on MutationSendNotificationSuccess {\n        data {\n          messageId\n        }\n      }\n      ... on ValidationError {\n        fieldErrors {\n          field\n          message\n        }\n      }\n      ... on OperationFailedError {\n        vendorStatus\n        timedOut\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": types.SendNotificationDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateInstance($input: CreatePluginInstanceInput!) {\n    createPluginInstance(input: $input) {\n      __typename\n      ... on MutationCreatePluginInstanceSuccess {\n        data {\n          id\n          name\n          version\n          status\n          configuration\n        }\n      }\n      ... on ValidationError {\n        fieldErrors {\n          field\n          message\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CreateInstance($input: CreatePluginInstanceInput!) {\n    createPluginInstance(input: $input) {\n      __typename\n      ... on MutationCreatePluginInstanceSuccess {\n        data {\n          id\n          name\n          version\n          status\n          configuration\n        }\n      }\n      ... on ValidationError {\n        fieldErrors {\n          field\n          message\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation TestInstance($input: TestPluginInstanceConnectionInput!) {\n    testPluginInstanceConnection(input: $input) {\n      __typename\n      ... on MutationTestPluginInstanceConnectionSuccess {\n        data {\n          success\n          message\n          responseTimeMs\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation TestInstance($input: TestPluginInstanceConnectionInput!) {\n    testPluginInstanceConnection(input: $input) {\n      __typename\n      ... on MutationTestPluginInstanceConnectionSuccess {\n        data {\n          success\n          message\n          responseTimeMs\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateInstance($input: UpdatePluginInstanceInput!) {\n    updatePluginInstance(input: $input) {\n      __typename\n      ... on MutationUpdatePluginInstanceSuccess {\n        data {\n          version\n          configuration\n          secrets {\n            key\n            isSet\n            updatedAt\n          }\n        }\n      }\n      ... on ConflictError {\n        currentVersion\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation UpdateInstance($input: UpdatePluginInstanceInput!) {\n    updatePluginInstance(input: $input) {\n      __typename\n      ... on MutationUpdatePluginInstanceSuccess {\n        data {\n          version\n          configuration\n          secrets {\n            key\n            isSet\n            updatedAt\n          }\n        }\n      }\n      ... on ConflictError {\n        currentVersion\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SendNotification($instanceId: ID!, $input: SendNotificationInput!, $idempotencyKey: String) {\n    sendNotification(instanceId: $instanceId, input: $input, idempotencyKey: $idempotencyKey) {\n      __typename\n      ... on MutationSendNotificationSuccess {\n        data {\n          messageId\n        }\n      }\n      ... on ValidationError {\n        fieldErrors {\n          field\n          message\n        }\n      }\n      ... on OperationFailedError {\n        vendorStatus\n        timedOut\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation SendNotification($instanceId: ID!, $input: SendNotificationInput!, $idempotencyKey: String) {\n    sendNotification(instanceId: $instanceId, input: $input, idempotencyKey: $idempotencyKey) {\n      __typename\n      ... on MutationSendNotificationSuccess {\n        data {\n          messageId\n        }\n      }\n      ... on ValidationError {\n        fieldErrors {\n          field\n          message\n        }\n      }\n      ... on OperationFailedError {\n        vendorStatus\n        timedOut\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;