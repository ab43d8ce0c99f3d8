import { graphql } from '../gql/index.ts';

export const PluginSummaryFragment = graphql(`
  fragment PluginSummary on Plugin {
    name
    displayName
    type
    version
    description
    tags
    author
    homepage
    supportsHealthCheck
    supportsTestConnection
  }
`);

export const CatalogQuery = graphql(`
  query Catalog($type: PluginType, $search: String) {
    plugins(type: $type, search: $search) {
      ...PluginSummary
    }
    pluginLoadErrors {
      path
      pluginName
      reason
    }
  }
`);
