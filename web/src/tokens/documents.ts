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
  mutation CreateApiToken($name: String!, $role: Role!) {
    createApiToken(name: $name, role: $role) {
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
        fieldErrors {
          field
          message
          rule
        }
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
