/**
 * Every attribute of the SDK's FIELD_ATTRIBUTES reaches every consumer of the field schema:
 * the registration check, the GraphQL type `PluginField`, the console's `PluginField`
 * fragment, the console's form model (served by the real server over HTTP and read back with
 * `toFormSchema`) and the JSON Schema. The cases come from the table, so an attribute added
 * to it is covered at once: a consumer that misses it fails here.
 *
 * The sample values are per kind (`SAMPLES` must name every kind, so a new kind does not
 * compile without them). Each attribute is carried by a field "sample" of a plugin of its
 * own, next to a SELECT that conditions can name and a secret that destinations can bind.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { getNamedType, isObjectType, print, type FieldNode } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ATTRIBUTE_KINDS,
  checkPluginSchema,
  fieldAttributeEntries,
  graphqlNameOf,
  toJsonSchema,
  type AttributeKind,
  type AttributeKindShape,
  type FieldSpec,
  type JsonSchema,
  type PluginConfig,
} from '../../plugins/sdk/index.ts';
import { schema } from '../../server/graphql/schema.ts';
import { NewInstanceQuery } from '../../web/src/editor/documents.ts';
import { PluginFieldFragment } from '../../web/src/editor/plugin-field.generated.ts';
import { toFormSchema, type GraphqlField } from '../../web/src/form/schema.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

interface KindSample {
  /** The field that carries the attribute: of a type the attribute applies to. */
  host: Omit<FieldSpec, 'key' | 'label'>;
  valid: unknown;
  /** A value of the wrong type or shape, which the registration check must refuse. */
  invalid: unknown;
}

/** The key of the field that carries the attribute (and so the valid identifier). */
const SAMPLE_KEY = 'sample';

const SAMPLES: Record<AttributeKind, KindSample> = {
  identifier: { host: { type: 'STRING' }, valid: SAMPLE_KEY, invalid: 'not-an-identifier' },
  text: { host: { type: 'STRING' }, valid: 'Sample', invalid: 5 },
  fieldType: { host: { type: 'STRING' }, valid: 'TEXT', invalid: 'NOPE' },
  string: { host: { type: 'STRING' }, valid: 'Some words', invalid: 5 },
  boolean: { host: { type: 'STRING' }, valid: true, invalid: 'yes' },
  json: { host: { type: 'STRING' }, valid: 'a default', invalid: 5 },
  length: { host: { type: 'STRING' }, valid: 3, invalid: -1 },
  integer: { host: { type: 'STRING' }, valid: 2, invalid: 1.5 },
  number: { host: { type: 'INTEGER' }, valid: 5, invalid: '5' },
  regex: { host: { type: 'STRING' }, valid: '^a', invalid: '[a-' },
  itemType: { host: { type: 'ARRAY' }, valid: 'INTEGER', invalid: 'SELECT' },
  jsonShape: { host: { type: 'JSON' }, valid: 'array', invalid: 'map' },
  rules: { host: { type: 'STRING' }, valid: [{ type: 'minLength', value: 2, message: 'At least two characters' }], invalid: { type: 'min' } },
  options: { host: { type: 'SELECT' }, valid: [{ value: 'a', label: 'A', description: 'The first' }], invalid: [] },
  // Required, so that the JSON Schema states the condition (it requires the field while shown).
  condition: { host: { type: 'STRING', required: true }, valid: { field: 'mode', in: ['bot'] }, invalid: 'yes' },
  destination: { host: { type: 'URL' }, valid: ['apiKey'], invalid: 'yes' },
};

const ATTRIBUTES = fieldAttributeEntries();
const SDK = pathToFileURL(join(import.meta.dirname, '../../plugins/sdk/index.ts')).href;

/** A plugin whose field "sample" carries `attribute` with `value` (left out when `undefined`). */
function pluginWith(attribute: string, kind: AttributeKind, value: unknown): PluginConfig {
  const sample: Record<string, unknown> = { key: SAMPLE_KEY, label: 'Sample', ...SAMPLES[kind].host, [attribute]: value };
  if (value === undefined) delete sample[attribute];
  return {
    name: `attribute-${attribute.toLowerCase()}`,
    type: 'ANALYTICS',
    version: '1.0.0',
    fields: [
      { key: 'mode', label: 'Mode', type: 'SELECT', options: [{ value: 'bot', label: 'Bot' }, { value: 'webhook', label: 'Webhook' }] },
      { key: 'apiKey', label: 'API Key', type: 'SECRET' },
      sample as unknown as FieldSpec,
    ],
  };
}

const pluginFieldType = () => {
  const type = schema.getType('PluginField');
  if (!isObjectType(type)) throw new Error('the schema has no PluginField object type');
  return type;
};

let server: TestServer;
let pluginDir: string;
beforeAll(async () => {
  pluginDir = await mkdtemp(join(tmpdir(), 'plugform-attributes-'));
  for (const [attribute, { kind }] of ATTRIBUTES) {
    const { name, type, version, fields } = pluginWith(attribute, kind, SAMPLES[kind].valid);
    const source = `import { definePlugin } from ${JSON.stringify(SDK)};
export default definePlugin({
  ...${JSON.stringify({ name, type, version, fields })},
  createProvider() {
    return { async trackEvent() {} };
  },
});
`;
    await writeFile(join(pluginDir, `${name}.ts`), source);
  }
  server = await startTestServer({ pluginPaths: [pluginDir] });
}, 180_000); // a server that loads a plugin per attribute: more than the usual start on a busy machine
afterAll(async () => {
  await server?.close();
  if (pluginDir) await rm(pluginDir, { recursive: true, force: true });
});

describe.each(ATTRIBUTES)('the field attribute %s', (attribute, descriptor) => {
  const { kind } = descriptor;
  const { valid, invalid } = SAMPLES[kind];
  const graphqlName = graphqlNameOf(attribute);

  it('is accepted by the registration check with a valid value, and refused by name with a wrong one', () => {
    expect(checkPluginSchema(pluginWith(attribute, kind, valid))).toEqual([]);
    const messages = checkPluginSchema(pluginWith(attribute, kind, invalid)).map((problem) => problem.message);
    expect(messages).toContainEqual(expect.stringMatching(new RegExp(`: ${attribute}\\b`)));
  });

  it('is a field of the GraphQL type PluginField, typed and described as the table says', () => {
    const field = pluginFieldType().getFields()[graphqlName];
    const { graphql, list, nullable }: AttributeKindShape = ATTRIBUTE_KINDS[kind];
    const item = list ? `[${graphql}!]` : graphql;
    expect(String(field?.type)).toBe(nullable ? item : `${item}!`);
    expect(field?.description).toBe(descriptor.graphql?.description ?? descriptor.description);
  });

  it("is selected by the console's PluginField fragment (every subfield of an object type)", () => {
    const [definition] = PluginFieldFragment.definitions;
    if (definition?.kind !== 'FragmentDefinition') throw new Error('PluginFieldFragment holds no fragment');
    const selection = definition.selectionSet.selections.find((node): node is FieldNode => node.kind === 'Field' && node.name.value === graphqlName);
    expect(selection, `the fragment selects ${graphqlName} (run npm run codegen)`).toBeDefined();
    const field = pluginFieldType().getFields()[graphqlName];
    const type = field && getNamedType(field.type);
    if (isObjectType(type)) {
      expect(selection?.selectionSet?.selections.map((node) => (node as FieldNode).name.value).sort()).toEqual(Object.keys(type.getFields()).sort());
    }
  });

  it('comes back with its value from the server, through the console query and toFormSchema', async () => {
    const name = pluginWith(attribute, kind, valid).name;
    const { body } = await server.gql<{ plugin: { fields: GraphqlField[] } | null }>(print(NewInstanceQuery), { pluginName: name });
    expect(body.errors).toBeUndefined();
    const served = body.data?.plugin;
    expect(served, `plugin ${name} is served (load errors: ${JSON.stringify(server.running.services.registry.loadErrors())})`).toBeTruthy();
    const sample = toFormSchema(served!.fields).find((field) => field.key === SAMPLE_KEY);
    expect(sample?.[attribute]).toEqual(valid);
  });

  it('is in the JSON Schema as the table maps it', () => {
    const { jsonSchema } = descriptor;
    const withValue = toJsonSchema(pluginWith(attribute, kind, valid));
    const property = (withValue.properties as Record<string, JsonSchema>)[SAMPLE_KEY];
    const without = pluginWith(attribute, kind, undefined);
    // Required attributes (key, label, type) cannot be left out: nothing to compare with.
    const withoutSchema = checkPluginSchema(without).length === 0 ? toJsonSchema(without) : undefined;
    if ('copiedTo' in jsonSchema) {
      expect(property?.[jsonSchema.copiedTo]).toEqual(valid);
    } else if ('derives' in jsonSchema) {
      const text = JSON.stringify(withValue);
      expect(jsonSchema.derives.some((keyword) => text.includes(`"${keyword}":`))).toBe(true);
      if (withoutSchema) expect(withValue).not.toEqual(withoutSchema);
    } else {
      expect(jsonSchema.omitted).not.toBe('');
      expect(withValue).toEqual(withoutSchema);
    }
  });
});
