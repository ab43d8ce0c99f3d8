import { graphql } from '../gql/index.ts';

/** Every instance as a configuration document (secrets as references, never values). */
export const ExportConfigurationQuery = graphql(`
  query ExportConfiguration {
    exportConfigurationDocument
  }
`);

export const ApplyConfigurationMutation = graphql(`
  mutation ApplyConfiguration($document: JSON!, $dryRun: Boolean, $prune: Boolean) {
    applyConfigurationDocument(document: $document, dryRun: $dryRun, prune: $prune) {
      __typename
      ... on MutationApplyConfigurationDocumentSuccess {
        data {
          plan {
            changed
            items {
              action
              plugin
              name
              changedKeys
              secretChanges
              enabled
              notes
            }
            drift {
              plugin
              name
              key
              message
            }
            unresolved {
              plugin
              name
              key
              message
            }
          }
          results {
            action
            plugin
            name
            ok
            error
          }
        }
      }
      ... on ValidationError {
        message
        ...FieldErrors
      }
      ... on ConflictError {
        message
        currentVersion
      }
      ... on Error {
        message
      }
    }
  }
`);
