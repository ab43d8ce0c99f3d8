/**
 * Automate Plugform from Node: create an instance of the built-in example-echo plugin, test
 * its connection, then update it with the version it read. The operations below are typed
 * documents: GraphQL Code Generator's client preset generated their result and variable
 * types into ./gql/ from schema.graphql (`npm run codegen`), so a field that does not exist
 * or a variable of the wrong type fails to compile.
 *
 *   PLUGFORM_TOKEN=pf_… npx tsx docs/automation/create-test-update.ts [instance-name]
 *
 * PLUGFORM_URL defaults to http://localhost:4000 (where `npm start` listens).
 */
import { print } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { graphql } from './gql/index.ts';

const CreateInstance = graphql(`
  mutation CreateInstance($input: CreatePluginInstanceInput!) {
    createPluginInstance(input: $input) {
      __typename
      ... on MutationCreatePluginInstanceSuccess {
        data {
          id
          name
          version
          status
          configuration
        }
      }
      ... on ValidationError {
        fieldErrors {
          field
          message
        }
      }
      ... on Error {
        message
      }
    }
  }
`);

const TestInstance = graphql(`
  mutation TestInstance($input: TestPluginInstanceConnectionInput!) {
    testPluginInstanceConnection(input: $input) {
      __typename
      ... on MutationTestPluginInstanceConnectionSuccess {
        data {
          success
          message
          responseTimeMs
        }
      }
      ... on Error {
        message
      }
    }
  }
`);

const UpdateInstance = graphql(`
  mutation UpdateInstance($input: UpdatePluginInstanceInput!) {
    updatePluginInstance(input: $input) {
      __typename
      ... on MutationUpdatePluginInstanceSuccess {
        data {
          version
          configuration
          secrets {
            key
            isSet
            updatedAt
          }
        }
      }
      ... on ConflictError {
        currentVersion
      }
      ... on Error {
        message
      }
    }
  }
`);

export interface Connection {
  /** The server's base URL, e.g. http://localhost:4000 */
  url: string;
  /** An API token of an operator or an admin. */
  token: string;
}

/** Sends one typed operation; the result and the variables are typed by the document. */
export async function execute<Result, Variables>(
  connection: Connection,
  document: TypedDocumentNode<Result, Variables>,
  variables: Variables,
): Promise<Result> {
  const response = await fetch(new URL('/graphql', connection.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${connection.token}` },
    body: JSON.stringify({ query: print(document), variables }),
  });
  const body = (await response.json()) as { data?: Result | null; errors?: { message: string }[] };
  if (body.errors?.length || !body.data) {
    throw new Error(`HTTP ${response.status}: ${body.errors?.map((e) => e.message).join('; ') ?? 'no data'}`);
  }
  return body.data;
}

export interface Outcome {
  id: string;
  tested: { success: boolean; message: string };
  version: number;
  configuration: Record<string, unknown>;
}

/** Create → test → update. Errors a client must react to arrive as data and are thrown here. */
export async function createTestUpdate(connection: Connection, name: string, log: (line: string) => void = console.log): Promise<Outcome> {
  const created = (
    await execute(connection, CreateInstance, {
      input: {
        pluginName: 'example-echo',
        name,
        configuration: { senderName: 'Nightly report' },
        // Secrets go in typed and write-only: no response will ever contain them.
        secrets: [{ key: 'apiToken', value: 'echo-nightly-token' }],
      },
    })
  ).createPluginInstance;
  if (created.__typename !== 'MutationCreatePluginInstanceSuccess') {
    const details = created.__typename === 'ValidationError' ? created.fieldErrors.map((e) => `${e.field}: ${e.message}`).join('; ') : created.message;
    throw new Error(`create failed (${created.__typename}): ${details}`);
  }
  const instance = created.data;
  log(`created ${instance.name} (${instance.id}), version ${instance.version}, ${instance.status}`);

  const tested = (await execute(connection, TestInstance, { input: { id: instance.id } })).testPluginInstanceConnection;
  if (tested.__typename !== 'MutationTestPluginInstanceConnectionSuccess') throw new Error(`test failed (${tested.__typename}): ${tested.message}`);
  log(`tested: ${tested.data.success ? 'success' : 'failure'}: ${tested.data.message} (${tested.data.responseTimeMs} ms)`);

  // The version read above: if someone changed the instance since, this is a ConflictError.
  const updated = (
    await execute(connection, UpdateInstance, {
      input: { id: instance.id, version: instance.version, configuration: { maxMessages: 500 } },
    })
  ).updatePluginInstance;
  if (updated.__typename === 'ConflictError') throw new Error(`changed meanwhile, now at version ${updated.currentVersion}: reload and retry`);
  if (updated.__typename !== 'MutationUpdatePluginInstanceSuccess') throw new Error(`update failed (${updated.__typename}): ${updated.message}`);
  const kept = updated.data.secrets.filter((s) => s.isSet).map((s) => s.key);
  log(`updated to version ${updated.data.version}: ${JSON.stringify(updated.data.configuration)} (secrets kept: ${kept.join(', ')})`);

  return { id: instance.id, tested: tested.data, version: updated.data.version, configuration: updated.data.configuration };
}

if (process.argv[1] && import.meta.filename === (await import('node:fs')).realpathSync(process.argv[1])) {
  const token = process.env.PLUGFORM_TOKEN;
  if (!token) {
    console.error('Set PLUGFORM_TOKEN to an API token (the admin token `npm start` printed, or PLUGFORM_ADMIN_TOKEN).');
    process.exit(2);
  }
  const url = process.env.PLUGFORM_URL ?? 'http://localhost:4000';
  try {
    await createTestUpdate({ url, token }, process.argv[2] ?? 'nightly-report');
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
}
