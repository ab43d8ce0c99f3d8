import { graphql } from '../gql/index.ts';

export const InstanceRowFragment = graphql(`
  fragment InstanceRow on PluginInstance {
    id
    name
    pluginName
    enabled
    status
    statusMessage
    healthStatus
    healthSince
    lastHealthCheckAt
    # The latest check's message: the reason shown beside the health badge.
    healthHistory(last: 1) {
      id
      message
    }
    updatedAt
    plugin {
      name
      displayName
      type
    }
  }
`);

/** The first 100 instances (the API's largest page); the table sorts and filters them. */
export const InstancesQuery = graphql(`
  query Instances {
    pluginInstances(first: 100) {
      edges {
        node {
          ...InstanceRow
        }
      }
      pageInfo {
        hasNextPage
      }
    }
  }
`);

/** Live health: every change, or only the given instance's. */
export const HealthChangesSubscription = graphql(`
  subscription HealthChanges($id: ID) {
    pluginInstanceHealthChanged(id: $id) {
      instanceId
      status
      previousStatus
      check {
        status
        message
        responseTimeMs
        timestamp
      }
    }
  }
`);

export const DeleteInstanceMutation = graphql(`
  mutation DeleteInstance($id: ID!, $version: Int) {
    deletePluginInstance(id: $id, version: $version) {
      __typename
      ... on MutationDeletePluginInstanceSuccess {
        data {
          id
          name
        }
      }
      ... on Error {
        message
      }
    }
  }
`);
