import { graphql } from '../gql/index.ts';

export const InstanceOperationsQuery = graphql(`
  query InstanceOperations($id: ID!) {
    pluginInstance(id: $id) {
      id
      operations
      operationStats(hours: 24) {
        windowHours
        calls
        errors
        errorRate
        p95LatencyMs
        perHour {
          hour
          calls
          errors
        }
        lastFailures {
          id
          at
          operation
          outcome
          errorType
          errorMessage
          vendorStatus
        }
      }
    }
  }
`);

/*
 * Every operation mutation selects the same error members (the fragment below), so the
 * "Try it" panel reads any of them the same way. No payload value is ever selected back
 * (a password is write-only).
 */
export const OperationErrorFields = graphql(`
  fragment OperationErrorFields on Error {
    __typename
    message
    ... on ValidationError {
      ...FieldErrors
    }
    ... on OperationFailedError {
      timedOut
      vendorStatus
      vendorCode
    }
  }
`);

export const TrySendNotificationMutation = graphql(`
  mutation TrySendNotification($instanceId: ID!, $input: SendNotificationInput!) {
    sendNotification(instanceId: $instanceId, input: $input) {
      __typename
      ... on MutationSendNotificationSuccess {
        data {
          messageId
        }
      }
      ...OperationErrorFields
    }
  }
`);

export const TryStoreFileMutation = graphql(`
  mutation TryStoreFile($instanceId: ID!, $key: String!, $file: File!) {
    storeFile(instanceId: $instanceId, key: $key, file: $file) {
      __typename
      ... on MutationStoreFileSuccess {
        data {
          key
          size
          location
        }
      }
      ...OperationErrorFields
    }
  }
`);

export const TryDownloadUrlMutation = graphql(`
  mutation TryDownloadUrl($instanceId: ID!, $key: String!) {
    createFileDownloadUrl(instanceId: $instanceId, key: $key) {
      __typename
      ... on MutationCreateFileDownloadUrlSuccess {
        data {
          key
          url
          expiresAt
        }
      }
      ...OperationErrorFields
    }
  }
`);

export const TryListFilesMutation = graphql(`
  mutation TryListFiles($instanceId: ID!, $prefix: String) {
    listFiles(instanceId: $instanceId, prefix: $prefix, limit: 50) {
      __typename
      ... on MutationListFilesSuccess {
        data {
          files {
            key
            size
            lastModified
          }
        }
      }
      ...OperationErrorFields
    }
  }
`);

export const TrySearchDocumentsMutation = graphql(`
  mutation TrySearchDocuments($instanceId: ID!, $input: SearchDocumentsInput!) {
    searchDocuments(instanceId: $instanceId, input: $input) {
      __typename
      ... on MutationSearchDocumentsSuccess {
        data {
          hits {
            id
            score
            document
          }
        }
      }
      ...OperationErrorFields
    }
  }
`);

export const TryVerifyCredentialsMutation = graphql(`
  mutation TryVerifyCredentials($instanceId: ID!, $input: CredentialsInput!) {
    verifyCredentials(instanceId: $instanceId, input: $input) {
      __typename
      ... on MutationVerifyCredentialsSuccess {
        data {
          authenticated
          subject
          message
        }
      }
      ...OperationErrorFields
    }
  }
`);

export const TryCaptureEventMutation = graphql(`
  mutation TryCaptureEvent($instanceId: ID!, $input: AnalyticsEventInput!) {
    captureEvent(instanceId: $instanceId, input: $input) {
      __typename
      ... on MutationCaptureEventSuccess {
        data {
          accepted
        }
      }
      ...OperationErrorFields
    }
  }
`);

export const TryTriggerWorkflowMutation = graphql(`
  mutation TryTriggerWorkflow($instanceId: ID!, $workflowId: String!, $input: JSONObject) {
    triggerWorkflow(instanceId: $instanceId, workflowId: $workflowId, input: $input) {
      __typename
      ... on MutationTriggerWorkflowSuccess {
        data {
          runId
          status
        }
      }
      ...OperationErrorFields
    }
  }
`);

export const TryDeliverEventMutation = graphql(`
  mutation TryDeliverEvent($instanceId: ID!, $event: String!, $payload: JSONObject) {
    deliverEvent(instanceId: $instanceId, event: $event, payload: $payload) {
      __typename
      ... on MutationDeliverEventSuccess {
        data {
          result
        }
      }
      ...OperationErrorFields
    }
  }
`);

export const TryCreatePaymentMutation = graphql(`
  mutation TryCreatePayment($instanceId: ID!, $input: CreatePaymentInput!) {
    createPayment(instanceId: $instanceId, input: $input) {
      __typename
      ... on MutationCreatePaymentSuccess {
        data {
          paymentId
          status
          amountMinor
          currency
        }
      }
      ...OperationErrorFields
    }
  }
`);
