import { graphql } from '../gql/index.ts';

/** Everything the form renderer needs from a plugin's schema. */
export const PluginSchemaFragment = graphql(`
  fragment PluginSchema on Plugin {
    name
    displayName
    type
    version
    description
    supportsTestConnection
    groups
    fields {
      ...PluginField
    }
  }
`);

export const NewInstanceQuery = graphql(`
  query NewInstance($pluginName: String!) {
    plugin(name: $pluginName) {
      ...PluginSchema
    }
  }
`);

export const EditInstanceQuery = graphql(`
  query EditInstance($id: ID!) {
    pluginInstance(id: $id) {
      id
      name
      pluginName
      version
      enabled
      configuration
      secrets {
        key
        isSet
        updatedAt
      }
      plugin {
        ...PluginSchema
      }
    }
  }
`);

export const SaveErrorFragment = graphql(`
  fragment SaveError on Error {
    __typename
    message
    ... on ValidationError {
      ...FieldErrors
    }
    ... on ConflictError {
      currentVersion
    }
  }
`);

export const CreateInstanceMutation = graphql(`
  mutation CreateInstance($input: CreatePluginInstanceInput!) {
    createPluginInstance(input: $input) {
      __typename
      ... on MutationCreatePluginInstanceSuccess {
        data {
          id
          name
          version
        }
      }
      ... on Error {
        ...SaveError
      }
    }
  }
`);

export const UpdateInstanceMutation = graphql(`
  mutation UpdateInstance($input: UpdatePluginInstanceInput!) {
    updatePluginInstance(input: $input) {
      __typename
      ... on MutationUpdatePluginInstanceSuccess {
        data {
          id
          name
          version
        }
      }
      ... on Error {
        ...SaveError
      }
    }
  }
`);

export const TestResultFragment = graphql(`
  fragment TestResult on PluginTestResult {
    success
    message
    responseTimeMs
    timestamp
  }
`);

export const TestUnsavedMutation = graphql(`
  mutation TestUnsaved($input: TestPluginConnectionInput!) {
    testPluginConnection(input: $input) {
      __typename
      ... on MutationTestPluginConnectionSuccess {
        data {
          ...TestResult
        }
      }
      ... on Error {
        ...SaveError
      }
    }
  }
`);

export const TestSavedMutation = graphql(`
  mutation TestSaved($input: TestPluginInstanceConnectionInput!) {
    testPluginInstanceConnection(input: $input) {
      __typename
      ... on MutationTestPluginInstanceConnectionSuccess {
        data {
          ...TestResult
        }
      }
      ... on Error {
        ...SaveError
      }
    }
  }
`);
