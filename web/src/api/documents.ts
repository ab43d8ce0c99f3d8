import { graphql } from '../gql/index.ts';

/** The field errors of a ValidationError, as every mutation of the console selects them. */
export const FieldErrorsFragment = graphql(`
  fragment FieldErrors on ValidationError {
    fieldErrors {
      field
      message
      rule
    }
  }
`);
