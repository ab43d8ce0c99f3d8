import { graphql } from '../gql/index.ts';

export const ApiTokenFieldsFragment = graphql(`
  fragment ApiTokenFields on ApiToken {
    id
    name
    prefix
    role
    createdAt
    createdBy
    lastUsedAt
    revokedAt
    scopes {
      instanceId
      operations
    }
  }
`);

/**
 * The instances a service token can be scoped to, with the operations each one's plugin type
 * offers (the first 100, the API's largest page; also names the instances in the list).
 */
export const ScopeInstancesQuery = graphql(`
  query ScopeInstances {
    pluginInstances(first: 100) {
      edges {
        node {
          id
          name
          pluginName
          operations
        }
      }
      pageInfo {
        hasNextPage
      }
    }
  }
`);

/** Every token, active and revoked (admins only). */
export const ApiTokensQuery = graphql(`
  query ApiTokens {
    apiTokens {
      ...ApiTokenFields
    }
  }
`);

export const CreateApiTokenMutation = graphql(`
  mutation CreateApiToken($name: String!, $role: Role!, $scopes: [OperationScopeInput!]) {
    createApiToken(name: $name, role: $role, scopes: $scopes) {
      __typename
      ... on MutationCreateApiTokenSuccess {
        data {
          token
          apiToken {
            ...ApiTokenFields
          }
        }
      }
      ... on ValidationError {
        message
        ...FieldErrors
      }
      ... on Error {
        message
      }
    }
  }
`);

export const RevokeApiTokenMutation = graphql(`
  mutation RevokeApiToken($id: ID!) {
    revokeApiToken(id: $id) {
      __typename
      ... on MutationRevokeApiTokenSuccess {
        data {
          ...ApiTokenFields
        }
      }
      ... on Error {
        message
      }
    }
  }
`);
