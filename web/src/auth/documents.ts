import { graphql } from '../gql/index.ts';

export const ViewerQuery = graphql(`
  query Viewer {
    viewer {
      tokenName
      role
    }
  }
`);
