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
