/**
 * Answers of repeated read queries (the console's instance list and catalog), kept per replica
 * and never stale. Only a query whose every field is on READS below is cached: those fields
 * show nothing but the plugin registry (fixed for the life of the process), the caller, and
 * rows of plugin_instance, plugin_instance_secret and health_check. Triggers bump the one row
 * of read_generation in the transaction of every statement that changes those tables
 * (migration read_generation), whichever replica or code path writes (raw SQL included), so a
 * query that reads them first reads the generation (one short statement) and is served from
 * the cache only when it is the one the cached answer was read under.
 *
 * Why that is never stale: an answer is read after its generation G was read, so it holds
 * every write committed before G was current. A reader that then reads G again has seen no
 * commit since (each would have moved G), so the answer holds everything it could have read.
 *
 * Authorization is unchanged: authentication (and its 401 for a revoked token) runs before,
 * on every request; answers are kept per token and role, so scope-auth decided them for that
 * caller; service tokens and answers with any error are never cached. An answer is kept only
 * when the response size limit passed it (its JSON is then attached, and sent again as is).
 *
 * Not @graphql-yoga/plugin-response-cache: it invalidates by the entities this replica's
 * mutations return and by TTL, so a health result written in SQL or a write on another replica
 * would leave a stale answer; and it caches every field unless told otherwise, where only
 * fields known to depend on nothing else may be cached.
 */
import type { DocumentNode, ExecutionResult, FragmentDefinitionNode, GraphQLSchema, OperationDefinitionNode, SelectionSetNode } from 'graphql';
import type { Plugin, YogaInitialContext } from 'graphql-yoga';
import type { Database } from '../../prisma/database.ts';
import { fieldAttributeEntries, graphqlNameOf } from '../../plugins/sdk/index.ts';
import type { GraphQLContext } from '../graphql/context.ts';

/** What a field's answer depends on besides the caller: the registry only, or database rows too. */
type Reads = 'registry' | 'database';

const DATABASE_FIELDS = {
  Query: ['pluginInstances', 'pluginInstance'],
  QueryPluginInstancesConnection: ['edges', 'pageInfo'],
  QueryPluginInstancesConnectionEdge: ['cursor', 'node'],
  PageInfo: ['hasNextPage', 'hasPreviousPage', 'startCursor', 'endCursor'],
  // Not replicaProvider (this replica's providers), auditEvents, configurationVersions,
  // configurationDiff, operations, operationCalls, operationStats (other tables or state).
  PluginInstance: [
    'id', 'pluginName', 'plugin', 'name', 'enabled', 'status', 'statusMessage', 'version', 'configVersion', 'configuration',
    'secrets', 'healthStatus', 'healthSince', 'lastHealthCheckAt', 'healthHistory', 'createdAt', 'updatedAt',
  ],
  // Not fingerprint (computed from the secret store).
  SecretState: ['key', 'label', 'isSet', 'updatedAt', 'value'],
  HealthCheck: ['id', 'status', 'message', 'details', 'responseTimeMs', 'checkedAt'],
};

const REGISTRY_FIELDS = {
  Query: ['plugins', 'plugin', 'pluginLoadErrors', 'viewer'],
  Viewer: ['role', 'tokenName'],
  Plugin: [
    'name', 'displayName', 'type', 'version', 'configVersion', 'description', 'author', 'homepage', 'tags', 'dependencies',
    'supportsHealthCheck', 'supportsTestConnection', 'fields', 'groups', 'jsonSchema',
  ],
  // Every attribute of the SDK's field table, by its GraphQL name.
  PluginField: fieldAttributeEntries().map(([attribute]) => graphqlNameOf(attribute)),
  SelectOption: ['value', 'label', 'description'],
  ValidationRule: ['type', 'value', 'message'],
  FieldCondition: ['field', 'values'],
  PluginLoadError: ['path', 'reason', 'pluginName'],
};

function coordinates(fields: Record<string, string[]>, reads: Reads): [string, Reads][] {
  return Object.entries(fields).flatMap(([type, names]) => names.map((name): [string, Reads] => [`${type}.${name}`, reads]));
}

/** `Type.field` → what its answer depends on. A field not here makes its query uncacheable. */
const READS = new Map<string, Reads>([...coordinates(REGISTRY_FIELDS, 'registry'), ...coordinates(DATABASE_FIELDS, 'database')]);

/** Null when the operation selects a field not on READS (or is no query); else what it depends on. */
export function readsOf(schema: GraphQLSchema, document: DocumentNode, operationName: string | null | undefined): Reads | null {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition');
  const operation = operationName ? operations.find((o) => o.name?.value === operationName) : operations.length === 1 ? operations[0] : undefined;
  if (!operation || operation.operation !== 'query') return null;
  const fragments = new Map(
    document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === 'FragmentDefinition').map((f) => [f.name.value, f]),
  );
  let reads: Reads = 'registry';
  const pending: [SelectionSetNode, string][] = [[operation.selectionSet, 'Query']];
  const visited = new Set<string>();
  while (pending.length > 0) {
    const [selectionSet, typeName] = pending.pop()!;
    for (const selection of selectionSet.selections) {
      if (selection.kind === 'InlineFragment') {
        pending.push([selection.selectionSet, selection.typeCondition?.name.value ?? typeName]);
      } else if (selection.kind === 'FragmentSpread') {
        const fragment = fragments.get(selection.name.value);
        if (!fragment) return null;
        const seen = `${fragment.name.value}@${typeName}`;
        if (!visited.has(seen)) {
          visited.add(seen);
          pending.push([fragment.selectionSet, fragment.typeCondition.name.value]);
        }
      } else if (selection.name.value !== '__typename') {
        const fieldReads = READS.get(`${typeName}.${selection.name.value}`);
        if (!fieldReads) return null;
        if (fieldReads === 'database') reads = 'database';
        if (selection.selectionSet) {
          const type = schema.getType(typeName) as { getFields?: () => Record<string, { type: unknown }> } | undefined;
          const field = type?.getFields?.()[selection.name.value];
          if (!field) return null;
          // Unwrap lists and non-nulls (duck-typed: the schema may come from another copy of graphql-js).
          let fieldType = field.type as { ofType?: unknown; name?: string };
          while (fieldType.ofType) fieldType = fieldType.ofType as typeof fieldType;
          pending.push([selection.selectionSet, fieldType.name!]);
        }
      }
    }
  }
  return reads;
}

interface Entry {
  result: ExecutionResult;
  bytes: number;
  /** The read_generation it was read under; null for answers from the registry only. */
  generation: bigint | null;
}

/** Per request, the key and generation under which its answer is to be kept. */
interface Pending {
  key: string;
  generation: bigint | null;
}

export interface ReadCacheOptions {
  /** The current read_generation (readGenerationOf). */
  generation: () => Promise<bigint>;
  maxEntries: number;
  maxBytes: number;
}

/**
 * Reads read_generation straight on the driver, not through Prisma's query engine (a third of
 * a cached answer's time). Never inside another transaction: PGlite runs a query only between
 * transactions, and a pool client of PostgreSQL is a session of its own.
 */
export function readGenerationOf(database: Database): () => Promise<bigint> {
  return () =>
    database.withConnection(async (connection) => {
      const [row] = await connection.query<{ value: string | number | bigint }>('SELECT value FROM read_generation WHERE id = 1');
      return BigInt(row!.value);
    });
}

export function useReadCache(options: ReadCacheOptions): Plugin {
  const entries = new Map<string, Entry>();
  let bytes = 0;
  /** The newest read_generation read; answers read under an older one are dropped. */
  let latest = -1n;
  const analysed = new WeakMap<DocumentNode, Map<string, Reads | null>>();
  const pending = new WeakMap<Request, Pending>();

  const remove = (key: string, entry: Entry) => {
    entries.delete(key);
    bytes -= entry.bytes;
  };
  const readGeneration = async (): Promise<bigint> => {
    const generation = await options.generation();
    if (generation > latest) {
      latest = generation;
      for (const [key, entry] of entries) if (entry.generation !== null) remove(key, entry);
    }
    return generation;
  };
  const readsOfOperation = (schema: GraphQLSchema, document: DocumentNode, operationName: string | undefined) => {
    let byName = analysed.get(document);
    if (!byName) analysed.set(document, (byName = new Map()));
    const name = operationName ?? '';
    if (!byName.has(name)) byName.set(name, readsOf(schema, document, operationName));
    return byName.get(name)!;
  };

  return {
    async onExecute({ args, setResultAndStopExecution }) {
      const context = args.contextValue as YogaInitialContext & GraphQLContext;
      const principal = context.principal;
      if (!principal || principal.scopes) return;
      const reads = readsOfOperation(args.schema, args.document, args.operationName ?? undefined);
      if (!reads) return;
      const { query, variables } = context.params;
      const key = JSON.stringify([principal.tokenId, principal.tokenName, principal.role, query, args.operationName ?? null, variables ?? null]);
      const generation = reads === 'database' ? await readGeneration() : null;
      const entry = entries.get(key);
      if (entry && entry.generation === generation) {
        // Most recently used last: the first entries are the ones evicted.
        entries.delete(key);
        entries.set(key, entry);
        setResultAndStopExecution(entry.result);
        return;
      }
      pending.set(context.request, { key, generation });
    },
    onExecutionResult({ request, result }) {
      const kept = pending.get(request);
      if (!kept) return;
      pending.delete(request);
      if (!result || Array.isArray(result) || Symbol.asyncIterator in result) return;
      const answer = result as ExecutionResult & { stringify?: (sent: unknown) => string };
      if (answer.errors || answer.extensions || !Object.hasOwn(answer, 'stringify')) return;
      if (kept.generation !== null && kept.generation !== latest) return;
      const size = answer.stringify!(answer).length;
      if (size > options.maxBytes) return;
      const previous = entries.get(kept.key);
      if (previous) remove(kept.key, previous);
      entries.set(kept.key, { result: answer, bytes: size, generation: kept.generation });
      bytes += size;
      for (const [key, entry] of entries) {
        if (entries.size <= options.maxEntries && bytes <= options.maxBytes) break;
        remove(key, entry);
      }
    },
  };
}
