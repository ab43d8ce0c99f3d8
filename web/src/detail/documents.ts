import { graphql } from '../gql/index.ts';

export const InstanceDetailQuery = graphql(`
  query InstanceDetail($id: ID!) {
    pluginInstance(id: $id) {
      id
      name
      pluginName
      version
      enabled
      status
      statusMessage
      replicaProvider {
        replica
        state
        message
      }
      createdAt
      updatedAt
      configuration
      healthStatus
      healthSince
      lastHealthCheckAt
      healthHistory(last: 30) {
        id
        status
        message
        responseTimeMs
        checkedAt
      }
      configurationVersions(last: 20) {
        version
        kind
        actor
        at
        restoredFrom
        secretChanges {
          key
          change
        }
      }
      auditEvents(last: 20) {
        id
        actor
        action
        changedKeys
        at
      }
      secrets {
        key
        label
        isSet
        updatedAt
      }
      plugin {
        name
        displayName
        type
        version
        supportsHealthCheck
        groups
        fields {
          key
          label
          type
          isSecret
          group
          order
        }
      }
    }
  }
`);

export const SetEnabledMutation = graphql(`
  mutation SetEnabled($id: ID!, $enabled: Boolean!, $version: Int) {
    setPluginInstanceEnabled(id: $id, enabled: $enabled, version: $version) {
      __typename
      ... on MutationSetPluginInstanceEnabledSuccess {
        data {
          id
          enabled
          status
          version
        }
      }
      ... on Error {
        message
      }
    }
  }
`);

export const CheckHealthMutation = graphql(`
  mutation CheckHealth($id: ID!) {
    checkPluginInstanceHealth(id: $id) {
      __typename
      ... on MutationCheckPluginInstanceHealthSuccess {
        data {
          status
          message
          responseTimeMs
          timestamp
        }
      }
      ... on Error {
        message
      }
    }
  }
`);

export const ConfigurationDiffQuery = graphql(`
  query ConfigurationDiff($id: ID!, $from: Int!, $to: Int) {
    pluginInstance(id: $id) {
      id
      configurationDiff(from: $from, to: $to) {
        key
        change
        secret
        oldValue
        newValue
      }
    }
  }
`);

export const RollbackMutation = graphql(`
  mutation RollbackInstance($id: ID!, $toVersion: Int!, $version: Int!, $secrets: [SecretInput!]) {
    rollbackPluginInstance(id: $id, toVersion: $toVersion, version: $version, secrets: $secrets) {
      __typename
      ... on MutationRollbackPluginInstanceSuccess {
        data {
          id
          version
        }
      }
      ... on Error {
        message
      }
      ... on ValidationError {
        ...FieldErrors
      }
      ... on ConflictError {
        currentVersion
      }
    }
  }
`);
