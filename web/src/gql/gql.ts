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
    "\n  query Viewer {\n    viewer {\n      tokenName\n      role\n    }\n  }\n": typeof types.ViewerDocument,
    "\n  fragment PluginSummary on Plugin {\n    name\n    displayName\n    type\n    version\n    description\n    tags\n    author\n    homepage\n    supportsHealthCheck\n    supportsTestConnection\n  }\n": typeof types.PluginSummaryFragmentDoc,
    "\n  query Catalog($type: PluginType, $search: String) {\n    plugins(type: $type, search: $search) {\n      ...PluginSummary\n    }\n    pluginLoadErrors {\n      path\n      pluginName\n      reason\n    }\n  }\n": typeof types.CatalogDocument,
    "\n  query InstanceDetail($id: ID!) {\n    pluginInstance(id: $id) {\n      id\n      name\n      pluginName\n      version\n      enabled\n      status\n      statusMessage\n      createdAt\n      updatedAt\n      configuration\n      healthStatus\n      healthSince\n      lastHealthCheckAt\n      healthHistory(last: 30) {\n        id\n        status\n        message\n        responseTimeMs\n        checkedAt\n      }\n      auditEvents(last: 20) {\n        id\n        actor\n        action\n        changedKeys\n        at\n      }\n      secrets {\n        key\n        label\n        isSet\n        updatedAt\n      }\n      plugin {\n        name\n        displayName\n        type\n        version\n        supportsHealthCheck\n        groups\n        fields {\n          key\n          label\n          type\n          isSecret\n          group\n          order\n        }\n      }\n    }\n  }\n": typeof types.InstanceDetailDocument,
    "\n  mutation SetEnabled($id: ID!, $enabled: Boolean!, $version: Int) {\n    setPluginInstanceEnabled(id: $id, enabled: $enabled, version: $version) {\n      __typename\n      ... on MutationSetPluginInstanceEnabledSuccess {\n        data {\n          id\n          enabled\n          status\n          version\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": typeof types.SetEnabledDocument,
    "\n  mutation CheckHealth($id: ID!) {\n    checkPluginInstanceHealth(id: $id) {\n      __typename\n      ... on MutationCheckPluginInstanceHealthSuccess {\n        data {\n          status\n          message\n          responseTimeMs\n          timestamp\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": typeof types.CheckHealthDocument,
    "\n  fragment PluginSchema on Plugin {\n    name\n    displayName\n    type\n    version\n    description\n    supportsTestConnection\n    groups\n    fields {\n      key\n      label\n      type\n      description\n      required\n      default\n      minLength\n      maxLength\n      minValue\n      maxValue\n      pattern\n      validationRules {\n        type\n        value\n        message\n      }\n      placeholder\n      helpText\n      group\n      order\n      options {\n        value\n        label\n        description\n      }\n      isSecret\n      itemType\n      jsonShape\n      bindsSecrets\n    }\n  }\n": typeof types.PluginSchemaFragmentDoc,
    "\n  query NewInstance($pluginName: String!) {\n    plugin(name: $pluginName) {\n      ...PluginSchema\n    }\n  }\n": typeof types.NewInstanceDocument,
    "\n  query EditInstance($id: ID!) {\n    pluginInstance(id: $id) {\n      id\n      name\n      pluginName\n      version\n      enabled\n      configuration\n      secrets {\n        key\n        isSet\n        updatedAt\n      }\n      plugin {\n        ...PluginSchema\n      }\n    }\n  }\n": typeof types.EditInstanceDocument,
    "\n  fragment SaveError on Error {\n    __typename\n    message\n    ... on ValidationError {\n      fieldErrors {\n        field\n        message\n        rule\n      }\n    }\n    ... on ConflictError {\n      currentVersion\n    }\n  }\n": typeof types.SaveErrorFragmentDoc,
    "\n  mutation CreateInstance($input: CreatePluginInstanceInput!) {\n    createPluginInstance(input: $input) {\n      __typename\n      ... on MutationCreatePluginInstanceSuccess {\n        data {\n          id\n          name\n          version\n        }\n      }\n      ... on Error {\n        ...SaveError\n      }\n    }\n  }\n": typeof types.CreateInstanceDocument,
    "\n  mutation UpdateInstance($input: UpdatePluginInstanceInput!) {\n    updatePluginInstance(input: $input) {\n      __typename\n      ... on MutationUpdatePluginInstanceSuccess {\n        data {\n          id\n          name\n          version\n        }\n      }\n      ... on Error {\n        ...SaveError\n      }\n    }\n  }\n": typeof types.UpdateInstanceDocument,
    "\n  fragment TestResult on PluginTestResult {\n    success\n    message\n    responseTimeMs\n    timestamp\n  }\n": typeof types.TestResultFragmentDoc,
    "\n  mutation TestUnsaved($input: TestPluginConnectionInput!) {\n    testPluginConnection(input: $input) {\n      __typename\n      ... on MutationTestPluginConnectionSuccess {\n        data {\n          ...TestResult\n        }\n      }\n      ... on Error {\n        ...SaveError\n      }\n    }\n  }\n": typeof types.TestUnsavedDocument,
    "\n  mutation TestSaved($input: TestPluginInstanceConnectionInput!) {\n    testPluginInstanceConnection(input: $input) {\n      __typename\n      ... on MutationTestPluginInstanceConnectionSuccess {\n        data {\n          ...TestResult\n        }\n      }\n      ... on Error {\n        ...SaveError\n      }\n    }\n  }\n": typeof types.TestSavedDocument,
    "\n  fragment InstanceRow on PluginInstance {\n    id\n    name\n    pluginName\n    enabled\n    status\n    statusMessage\n    healthStatus\n    healthSince\n    lastHealthCheckAt\n    # The latest check's message: the reason shown beside the health badge.\n    healthHistory(last: 1) {\n      id\n      message\n    }\n    updatedAt\n    plugin {\n      name\n      displayName\n      type\n    }\n  }\n": typeof types.InstanceRowFragmentDoc,
    "\n  query Instances {\n    pluginInstances(first: 100) {\n      edges {\n        node {\n          ...InstanceRow\n        }\n      }\n      pageInfo {\n        hasNextPage\n      }\n    }\n  }\n": typeof types.InstancesDocument,
    "\n  subscription HealthChanges($id: ID) {\n    pluginInstanceHealthChanged(id: $id) {\n      instanceId\n      status\n      previousStatus\n      check {\n        status\n        message\n        responseTimeMs\n        timestamp\n      }\n    }\n  }\n": typeof types.HealthChangesDocument,
    "\n  mutation DeleteInstance($id: ID!, $version: Int) {\n    deletePluginInstance(id: $id, version: $version) {\n      __typename\n      ... on MutationDeletePluginInstanceSuccess {\n        data {\n          id\n          name\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": typeof types.DeleteInstanceDocument,
    "\n  fragment ApiTokenFields on ApiToken {\n    id\n    name\n    prefix\n    role\n    createdAt\n    createdBy\n    lastUsedAt\n    revokedAt\n  }\n": typeof types.ApiTokenFieldsFragmentDoc,
    "\n  query ApiTokens {\n    apiTokens {\n      ...ApiTokenFields\n    }\n  }\n": typeof types.ApiTokensDocument,
    "\n  mutation CreateApiToken($name: String!, $role: Role!) {\n    createApiToken(name: $name, role: $role) {\n      __typename\n      ... on MutationCreateApiTokenSuccess {\n        data {\n          token\n          apiToken {\n            ...ApiTokenFields\n          }\n        }\n      }\n      ... on ValidationError {\n        message\n        fieldErrors {\n          field\n          message\n          rule\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": typeof types.CreateApiTokenDocument,
    "\n  mutation RevokeApiToken($id: ID!) {\n    revokeApiToken(id: $id) {\n      __typename\n      ... on MutationRevokeApiTokenSuccess {\n        data {\n          ...ApiTokenFields\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": typeof types.RevokeApiTokenDocument,
};
const documents: Documents = {
    "\n  query Viewer {\n    viewer {\n      tokenName\n      role\n    }\n  }\n": types.ViewerDocument,
    "\n  fragment PluginSummary on Plugin {\n    name\n    displayName\n    type\n    version\n    description\n    tags\n    author\n    homepage\n    supportsHealthCheck\n    supportsTestConnection\n  }\n": types.PluginSummaryFragmentDoc,
    "\n  query Catalog($type: PluginType, $search: String) {\n    plugins(type: $type, search: $search) {\n      ...PluginSummary\n    }\n    pluginLoadErrors {\n      path\n      pluginName\n      reason\n    }\n  }\n": types.CatalogDocument,
    "\n  query InstanceDetail($id: ID!) {\n    pluginInstance(id: $id) {\n      id\n      name\n      pluginName\n      version\n      enabled\n      status\n      statusMessage\n      createdAt\n      updatedAt\n      configuration\n      healthStatus\n      healthSince\n      lastHealthCheckAt\n      healthHistory(last: 30) {\n        id\n        status\n        message\n        responseTimeMs\n        checkedAt\n      }\n      auditEvents(last: 20) {\n        id\n        actor\n        action\n        changedKeys\n        at\n      }\n      secrets {\n        key\n        label\n        isSet\n        updatedAt\n      }\n      plugin {\n        name\n        displayName\n        type\n        version\n        supportsHealthCheck\n        groups\n        fields {\n          key\n          label\n          type\n          isSecret\n          group\n          order\n        }\n      }\n    }\n  }\n": types.InstanceDetailDocument,
    "\n  mutation SetEnabled($id: ID!, $enabled: Boolean!, $version: Int) {\n    setPluginInstanceEnabled(id: $id, enabled: $enabled, version: $version) {\n      __typename\n      ... on MutationSetPluginInstanceEnabledSuccess {\n        data {\n          id\n          enabled\n          status\n          version\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": types.SetEnabledDocument,
    "\n  mutation CheckHealth($id: ID!) {\n    checkPluginInstanceHealth(id: $id) {\n      __typename\n      ... on MutationCheckPluginInstanceHealthSuccess {\n        data {\n          status\n          message\n          responseTimeMs\n          timestamp\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": types.CheckHealthDocument,
    "\n  fragment PluginSchema on Plugin {\n    name\n    displayName\n    type\n    version\n    description\n    supportsTestConnection\n    groups\n    fields {\n      key\n      label\n      type\n      description\n      required\n      default\n      minLength\n      maxLength\n      minValue\n      maxValue\n      pattern\n      validationRules {\n        type\n        value\n        message\n      }\n      placeholder\n      helpText\n      group\n      order\n      options {\n        value\n        label\n        description\n      }\n      isSecret\n      itemType\n      jsonShape\n      bindsSecrets\n    }\n  }\n": types.PluginSchemaFragmentDoc,
    "\n  query NewInstance($pluginName: String!) {\n    plugin(name: $pluginName) {\n      ...PluginSchema\n    }\n  }\n": types.NewInstanceDocument,
    "\n  query EditInstance($id: ID!) {\n    pluginInstance(id: $id) {\n      id\n      name\n      pluginName\n      version\n      enabled\n      configuration\n      secrets {\n        key\n        isSet\n        updatedAt\n      }\n      plugin {\n        ...PluginSchema\n      }\n    }\n  }\n": types.EditInstanceDocument,
    "\n  fragment SaveError on Error {\n    __typename\n    message\n    ... on ValidationError {\n      fieldErrors {\n        field\n        message\n        rule\n      }\n    }\n    ... on ConflictError {\n      currentVersion\n    }\n  }\n": types.SaveErrorFragmentDoc,
    "\n  mutation CreateInstance($input: CreatePluginInstanceInput!) {\n    createPluginInstance(input: $input) {\n      __typename\n      ... on MutationCreatePluginInstanceSuccess {\n        data {\n          id\n          name\n          version\n        }\n      }\n      ... on Error {\n        ...SaveError\n      }\n    }\n  }\n": types.CreateInstanceDocument,
    "\n  mutation UpdateInstance($input: UpdatePluginInstanceInput!) {\n    updatePluginInstance(input: $input) {\n      __typename\n      ... on MutationUpdatePluginInstanceSuccess {\n        data {\n          id\n          name\n          version\n        }\n      }\n      ... on Error {\n        ...SaveError\n      }\n    }\n  }\n": types.UpdateInstanceDocument,
    "\n  fragment TestResult on PluginTestResult {\n    success\n    message\n    responseTimeMs\n    timestamp\n  }\n": types.TestResultFragmentDoc,
    "\n  mutation TestUnsaved($input: TestPluginConnectionInput!) {\n    testPluginConnection(input: $input) {\n      __typename\n      ... on MutationTestPluginConnectionSuccess {\n        data {\n          ...TestResult\n        }\n      }\n      ... on Error {\n        ...SaveError\n      }\n    }\n  }\n": types.TestUnsavedDocument,
    "\n  mutation TestSaved($input: TestPluginInstanceConnectionInput!) {\n    testPluginInstanceConnection(input: $input) {\n      __typename\n      ... on MutationTestPluginInstanceConnectionSuccess {\n        data {\n          ...TestResult\n        }\n      }\n      ... on Error {\n        ...SaveError\n      }\n    }\n  }\n": types.TestSavedDocument,
    "\n  fragment InstanceRow on PluginInstance {\n    id\n    name\n    pluginName\n    enabled\n    status\n    statusMessage\n    healthStatus\n    healthSince\n    lastHealthCheckAt\n    # The latest check's message: the reason shown beside the health badge.\n    healthHistory(last: 1) {\n      id\n      message\n    }\n    updatedAt\n    plugin {\n      name\n      displayName\n      type\n    }\n  }\n": types.InstanceRowFragmentDoc,
    "\n  query Instances {\n    pluginInstances(first: 100) {\n      edges {\n        node {\n          ...InstanceRow\n        }\n      }\n      pageInfo {\n        hasNextPage\n      }\n    }\n  }\n": types.InstancesDocument,
    "\n  subscription HealthChanges($id: ID) {\n    pluginInstanceHealthChanged(id: $id) {\n      instanceId\n      status\n      previousStatus\n      check {\n        status\n        message\n        responseTimeMs\n        timestamp\n      }\n    }\n  }\n": types.HealthChangesDocument,
    "\n  mutation DeleteInstance($id: ID!, $version: Int) {\n    deletePluginInstance(id: $id, version: $version) {\n      __typename\n      ... on MutationDeletePluginInstanceSuccess {\n        data {\n          id\n          name\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": types.DeleteInstanceDocument,
    "\n  fragment ApiTokenFields on ApiToken {\n    id\n    name\n    prefix\n    role\n    createdAt\n    createdBy\n    lastUsedAt\n    revokedAt\n  }\n": types.ApiTokenFieldsFragmentDoc,
    "\n  query ApiTokens {\n    apiTokens {\n      ...ApiTokenFields\n    }\n  }\n": types.ApiTokensDocument,
    "\n  mutation CreateApiToken($name: String!, $role: Role!) {\n    createApiToken(name: $name, role: $role) {\n      __typename\n      ... on MutationCreateApiTokenSuccess {\n        data {\n          token\n          apiToken {\n            ...ApiTokenFields\n          }\n        }\n      }\n      ... on ValidationError {\n        message\n        fieldErrors {\n          field\n          message\n          rule\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": types.CreateApiTokenDocument,
    "\n  mutation RevokeApiToken($id: ID!) {\n    revokeApiToken(id: $id) {\n      __typename\n      ... on MutationRevokeApiTokenSuccess {\n        data {\n          ...ApiTokenFields\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": types.RevokeApiTokenDocument,
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
export function graphql(source: "\n  query Viewer {\n    viewer {\n      tokenName\n      role\n    }\n  }\n"): (typeof documents)["\n  query Viewer {\n    viewer {\n      tokenName\n      role\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment PluginSummary on Plugin {\n    name\n    displayName\n    type\n    version\n    description\n    tags\n    author\n    homepage\n    supportsHealthCheck\n    supportsTestConnection\n  }\n"): (typeof documents)["\n  fragment PluginSummary on Plugin {\n    name\n    displayName\n    type\n    version\n    description\n    tags\n    author\n    homepage\n    supportsHealthCheck\n    supportsTestConnection\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Catalog($type: PluginType, $search: String) {\n    plugins(type: $type, search: $search) {\n      ...PluginSummary\n    }\n    pluginLoadErrors {\n      path\n      pluginName\n      reason\n    }\n  }\n"): (typeof documents)["\n  query Catalog($type: PluginType, $search: String) {\n    plugins(type: $type, search: $search) {\n      ...PluginSummary\n    }\n    pluginLoadErrors {\n      path\n      pluginName\n      reason\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query InstanceDetail($id: ID!) {\n    pluginInstance(id: $id) {\n      id\n      name\n      pluginName\n      version\n      enabled\n      status\n      statusMessage\n      createdAt\n      updatedAt\n      configuration\n      healthStatus\n      healthSince\n      lastHealthCheckAt\n      healthHistory(last: 30) {\n        id\n        status\n        message\n        responseTimeMs\n        checkedAt\n      }\n      auditEvents(last: 20) {\n        id\n        actor\n        action\n        changedKeys\n        at\n      }\n      secrets {\n        key\n        label\n        isSet\n        updatedAt\n      }\n      plugin {\n        name\n        displayName\n        type\n        version\n        supportsHealthCheck\n        groups\n        fields {\n          key\n          label\n          type\n          isSecret\n          group\n          order\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query InstanceDetail($id: ID!) {\n    pluginInstance(id: $id) {\n      id\n      name\n      pluginName\n      version\n      enabled\n      status\n      statusMessage\n      createdAt\n      updatedAt\n      configuration\n      healthStatus\n      healthSince\n      lastHealthCheckAt\n      healthHistory(last: 30) {\n        id\n        status\n        message\n        responseTimeMs\n        checkedAt\n      }\n      auditEvents(last: 20) {\n        id\n        actor\n        action\n        changedKeys\n        at\n      }\n      secrets {\n        key\n        label\n        isSet\n        updatedAt\n      }\n      plugin {\n        name\n        displayName\n        type\n        version\n        supportsHealthCheck\n        groups\n        fields {\n          key\n          label\n          type\n          isSecret\n          group\n          order\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetEnabled($id: ID!, $enabled: Boolean!, $version: Int) {\n    setPluginInstanceEnabled(id: $id, enabled: $enabled, version: $version) {\n      __typename\n      ... on MutationSetPluginInstanceEnabledSuccess {\n        data {\n          id\n          enabled\n          status\n          version\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation SetEnabled($id: ID!, $enabled: Boolean!, $version: Int) {\n    setPluginInstanceEnabled(id: $id, enabled: $enabled, version: $version) {\n      __typename\n      ... on MutationSetPluginInstanceEnabledSuccess {\n        data {\n          id\n          enabled\n          status\n          version\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CheckHealth($id: ID!) {\n    checkPluginInstanceHealth(id: $id) {\n      __typename\n      ... on MutationCheckPluginInstanceHealthSuccess {\n        data {\n          status\n          message\n          responseTimeMs\n          timestamp\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CheckHealth($id: ID!) {\n    checkPluginInstanceHealth(id: $id) {\n      __typename\n      ... on MutationCheckPluginInstanceHealthSuccess {\n        data {\n          status\n          message\n          responseTimeMs\n          timestamp\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment PluginSchema on Plugin {\n    name\n    displayName\n    type\n    version\n    description\n    supportsTestConnection\n    groups\n    fields {\n      key\n      label\n      type\n      description\n      required\n      default\n      minLength\n      maxLength\n      minValue\n      maxValue\n      pattern\n      validationRules {\n        type\n        value\n        message\n      }\n      placeholder\n      helpText\n      group\n      order\n      options {\n        value\n        label\n        description\n      }\n      isSecret\n      itemType\n      jsonShape\n      bindsSecrets\n    }\n  }\n"): (typeof documents)["\n  fragment PluginSchema on Plugin {\n    name\n    displayName\n    type\n    version\n    description\n    supportsTestConnection\n    groups\n    fields {\n      key\n      label\n      type\n      description\n      required\n      default\n      minLength\n      maxLength\n      minValue\n      maxValue\n      pattern\n      validationRules {\n        type\n        value\n        message\n      }\n      placeholder\n      helpText\n      group\n      order\n      options {\n        value\n        label\n        description\n      }\n      isSecret\n      itemType\n      jsonShape\n      bindsSecrets\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query NewInstance($pluginName: String!) {\n    plugin(name: $pluginName) {\n      ...PluginSchema\n    }\n  }\n"): (typeof documents)["\n  query NewInstance($pluginName: String!) {\n    plugin(name: $pluginName) {\n      ...PluginSchema\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query EditInstance($id: ID!) {\n    pluginInstance(id: $id) {\n      id\n      name\n      pluginName\n      version\n      enabled\n      configuration\n      secrets {\n        key\n        isSet\n        updatedAt\n      }\n      plugin {\n        ...PluginSchema\n      }\n    }\n  }\n"): (typeof documents)["\n  query EditInstance($id: ID!) {\n    pluginInstance(id: $id) {\n      id\n      name\n      pluginName\n      version\n      enabled\n      configuration\n      secrets {\n        key\n        isSet\n        updatedAt\n      }\n      plugin {\n        ...PluginSchema\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment SaveError on Error {\n    __typename\n    message\n    ... on ValidationError {\n      fieldErrors {\n        field\n        message\n        rule\n      }\n    }\n    ... on ConflictError {\n      currentVersion\n    }\n  }\n"): (typeof documents)["\n  fragment SaveError on Error {\n    __typename\n    message\n    ... on ValidationError {\n      fieldErrors {\n        field\n        message\n        rule\n      }\n    }\n    ... on ConflictError {\n      currentVersion\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateInstance($input: CreatePluginInstanceInput!) {\n    createPluginInstance(input: $input) {\n      __typename\n      ... on MutationCreatePluginInstanceSuccess {\n        data {\n          id\n          name\n          version\n        }\n      }\n      ... on Error {\n        ...SaveError\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CreateInstance($input: CreatePluginInstanceInput!) {\n    createPluginInstance(input: $input) {\n      __typename\n      ... on MutationCreatePluginInstanceSuccess {\n        data {\n          id\n          name\n          version\n        }\n      }\n      ... on Error {\n        ...SaveError\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateInstance($input: UpdatePluginInstanceInput!) {\n    updatePluginInstance(input: $input) {\n      __typename\n      ... on MutationUpdatePluginInstanceSuccess {\n        data {\n          id\n          name\n          version\n        }\n      }\n      ... on Error {\n        ...SaveError\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation UpdateInstance($input: UpdatePluginInstanceInput!) {\n    updatePluginInstance(input: $input) {\n      __typename\n      ... on MutationUpdatePluginInstanceSuccess {\n        data {\n          id\n          name\n          version\n        }\n      }\n      ... on Error {\n        ...SaveError\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment TestResult on PluginTestResult {\n    success\n    message\n    responseTimeMs\n    timestamp\n  }\n"): (typeof documents)["\n  fragment TestResult on PluginTestResult {\n    success\n    message\n    responseTimeMs\n    timestamp\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation TestUnsaved($input: TestPluginConnectionInput!) {\n    testPluginConnection(input: $input) {\n      __typename\n      ... on MutationTestPluginConnectionSuccess {\n        data {\n          ...TestResult\n        }\n      }\n      ... on Error {\n        ...SaveError\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation TestUnsaved($input: TestPluginConnectionInput!) {\n    testPluginConnection(input: $input) {\n      __typename\n      ... on MutationTestPluginConnectionSuccess {\n        data {\n          ...TestResult\n        }\n      }\n      ... on Error {\n        ...SaveError\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation TestSaved($input: TestPluginInstanceConnectionInput!) {\n    testPluginInstanceConnection(input: $input) {\n      __typename\n      ... on MutationTestPluginInstanceConnectionSuccess {\n        data {\n          ...TestResult\n        }\n      }\n      ... on Error {\n        ...SaveError\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation TestSaved($input: TestPluginInstanceConnectionInput!) {\n    testPluginInstanceConnection(input: $input) {\n      __typename\n      ... on MutationTestPluginInstanceConnectionSuccess {\n        data {\n          ...TestResult\n        }\n      }\n      ... on Error {\n        ...SaveError\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment InstanceRow on PluginInstance {\n    id\n    name\n    pluginName\n    enabled\n    status\n    statusMessage\n    healthStatus\n    healthSince\n    lastHealthCheckAt\n    # The latest check's message: the reason shown beside the health badge.\n    healthHistory(last: 1) {\n      id\n      message\n    }\n    updatedAt\n    plugin {\n      name\n      displayName\n      type\n    }\n  }\n"): (typeof documents)["\n  fragment InstanceRow on PluginInstance {\n    id\n    name\n    pluginName\n    enabled\n    status\n    statusMessage\n    healthStatus\n    healthSince\n    lastHealthCheckAt\n    # The latest check's message: the reason shown beside the health badge.\n    healthHistory(last: 1) {\n      id\n      message\n    }\n    updatedAt\n    plugin {\n      name\n      displayName\n      type\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Instances {\n    pluginInstances(first: 100) {\n      edges {\n        node {\n          ...InstanceRow\n        }\n      }\n      pageInfo {\n        hasNextPage\n      }\n    }\n  }\n"): (typeof documents)["\n  query Instances {\n    pluginInstances(first: 100) {\n      edges {\n        node {\n          ...InstanceRow\n        }\n      }\n      pageInfo {\n        hasNextPage\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription HealthChanges($id: ID) {\n    pluginInstanceHealthChanged(id: $id) {\n      instanceId\n      status\n      previousStatus\n      check {\n        status\n        message\n        responseTimeMs\n        timestamp\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription HealthChanges($id: ID) {\n    pluginInstanceHealthChanged(id: $id) {\n      instanceId\n      status\n      previousStatus\n      check {\n        status\n        message\n        responseTimeMs\n        timestamp\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteInstance($id: ID!, $version: Int) {\n    deletePluginInstance(id: $id, version: $version) {\n      __typename\n      ... on MutationDeletePluginInstanceSuccess {\n        data {\n          id\n          name\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation DeleteInstance($id: ID!, $version: Int) {\n    deletePluginInstance(id: $id, version: $version) {\n      __typename\n      ... on MutationDeletePluginInstanceSuccess {\n        data {\n          id\n          name\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ApiTokenFields on ApiToken {\n    id\n    name\n    prefix\n    role\n    createdAt\n    createdBy\n    lastUsedAt\n    revokedAt\n  }\n"): (typeof documents)["\n  fragment ApiTokenFields on ApiToken {\n    id\n    name\n    prefix\n    role\n    createdAt\n    createdBy\n    lastUsedAt\n    revokedAt\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ApiTokens {\n    apiTokens {\n      ...ApiTokenFields\n    }\n  }\n"): (typeof documents)["\n  query ApiTokens {\n    apiTokens {\n      ...ApiTokenFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateApiToken($name: String!, $role: Role!) {\n    createApiToken(name: $name, role: $role) {\n      __typename\n      ... on MutationCreateApiTokenSuccess {\n        data {\n          token\n          apiToken {\n            ...ApiTokenFields\n          }\n        }\n      }\n      ... on ValidationError {\n        message\n        fieldErrors {\n          field\n          message\n          rule\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CreateApiToken($name: String!, $role: Role!) {\n    createApiToken(name: $name, role: $role) {\n      __typename\n      ... on MutationCreateApiTokenSuccess {\n        data {\n          token\n          apiToken {\n            ...ApiTokenFields\n          }\n        }\n      }\n      ... on ValidationError {\n        message\n        fieldErrors {\n          field\n          message\n          rule\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RevokeApiToken($id: ID!) {\n    revokeApiToken(id: $id) {\n      __typename\n      ... on MutationRevokeApiTokenSuccess {\n        data {\n          ...ApiTokenFields\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation RevokeApiToken($id: ID!) {\n    revokeApiToken(id: $id) {\n      __typename\n      ... on MutationRevokeApiTokenSuccess {\n        data {\n          ...ApiTokenFields\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;