/**
 * The benchmark's forms: N fields of a realistic plugin schema, and the same schema in the
 * shapes each library takes (SDK FieldSpecs for Plugform, `toJsonSchema` output for
 * react-jsonschema-form and JSON Forms, plus the UI schemas those two need for widgets and
 * groups). Deterministic, so every library and every run renders exactly the same form.
 *
 * Runs in the browser (each page builds its forms before anything is timed) and in Node.
 */
import { FieldType, toJsonSchema, type FieldSpec, type JsonSchema } from '../../plugins/sdk/index.ts';

/** Fields per group: one "endpoint" block of a multi-region plugin, repeated. */
const BLOCK = 10;

const REGIONS = [
  { value: 'eu-west-1', label: 'Europe (Ireland)' },
  { value: 'eu-central-1', label: 'Europe (Frankfurt)' },
  { value: 'us-east-1', label: 'US East (N. Virginia)' },
  { value: 'us-west-2', label: 'US West (Oregon)' },
  { value: 'ap-southeast-1', label: 'Asia Pacific (Singapore)' },
  { value: 'sa-east-1', label: 'South America (São Paulo)' },
];
const LOG_LEVELS = ['debug', 'info', 'warn', 'error'].map((value) => ({ value, label: value.toUpperCase() }));

/**
 * The block's ten fields: two plain strings (one with a pattern), a URL, an email, a secret,
 * bounded integer and float, a boolean and two selects — the mix real plugin schemas have.
 * Secrets are optional so that the starting configuration is valid in every library: rjsf
 * and JSON Forms show errors from the first render, Plugform only once a field is touched,
 * and a valid form keeps the error DOM (none) the same for all three.
 */
function block(group: string, g: number): FieldSpec[] {
  const p = `g${String(g).padStart(3, '0')}_`;
  return [
    { key: `${p}name`, label: 'Display name', type: FieldType.STRING, required: true, maxLength: 120, placeholder: 'Production', order: 1, group, description: 'Shown in the console and in logs.' },
    { key: `${p}slug`, label: 'Slug', type: FieldType.STRING, required: true, pattern: '^[a-z0-9-]+$', maxLength: 40, order: 2, group, helpText: 'Lowercase letters, digits and dashes.' },
    { key: `${p}endpoint`, label: 'Endpoint URL', type: FieldType.URL, required: true, placeholder: 'https://api.example.com', order: 3, group },
    { key: `${p}contact`, label: 'Alert email', type: FieldType.EMAIL, order: 4, group, description: 'Who hears about failures.' },
    { key: `${p}signing_secret`, label: 'Signing secret', type: FieldType.SECRET, minLength: 16, order: 5, group, helpText: 'Leave empty to send unsigned requests.' },
    { key: `${p}timeout_ms`, label: 'Timeout (ms)', type: FieldType.INTEGER, minValue: 100, maxValue: 60_000, default: 5_000, order: 6, group },
    { key: `${p}sample_rate`, label: 'Sample rate', type: FieldType.FLOAT, minValue: 0, maxValue: 1, default: 0.25, order: 7, group },
    { key: `${p}enabled`, label: 'Enabled', type: FieldType.BOOLEAN, default: true, order: 8, group },
    { key: `${p}region`, label: 'Region', type: FieldType.SELECT, required: true, options: REGIONS, default: 'eu-west-1', order: 9, group },
    { key: `${p}log_level`, label: 'Log level', type: FieldType.SELECT, options: LOG_LEVELS, default: 'info', order: 10, group },
  ];
}

export interface BenchForm {
  size: number;
  fields: FieldSpec[];
  groups: string[];
  /** A valid starting configuration (non-secret fields), given to all three libraries. */
  values: Record<string, unknown>;
  /** `toJsonSchema` of the same fields: what rjsf and JSON Forms render from. */
  jsonSchema: JsonSchema;
  /** rjsf's uiSchema: password widget for secrets, placeholders, help text. */
  rjsfUiSchema: Record<string, unknown>;
  /** JSON Forms' UI schema: one Group per `x-group`, Controls in `x-order`. */
  jsonFormsUiSchema: Record<string, unknown>;
  /** The text input the keystroke test types into: a plain string in the middle group. */
  targetKey: string;
}

export function benchForm(size: number): BenchForm {
  if (size % BLOCK !== 0) throw new Error(`form size must be a multiple of ${BLOCK}`);
  const groupCount = size / BLOCK;
  const groups = Array.from({ length: groupCount }, (_, g) => `Endpoint ${g + 1}`);
  const fields = groups.flatMap((group, g) => block(group, g));

  const values: Record<string, unknown> = {};
  for (const [g] of groups.entries()) {
    const p = `g${String(g).padStart(3, '0')}_`;
    Object.assign(values, {
      [`${p}name`]: `Endpoint ${g + 1}`,
      [`${p}slug`]: `endpoint-${g + 1}`,
      [`${p}endpoint`]: `https://api-${g + 1}.example.com/v1`,
      [`${p}contact`]: `ops+${g + 1}@example.com`,
      [`${p}timeout_ms`]: 5_000,
      [`${p}sample_rate`]: 0.25,
      [`${p}enabled`]: g % 3 !== 0,
      [`${p}region`]: REGIONS[g % REGIONS.length]!.value,
      [`${p}log_level`]: 'info',
    });
  }

  const jsonSchema = toJsonSchema({ name: 'bench-form', displayName: 'Benchmark form', type: 'INTEGRATION', version: '1.0.0', fields, groups });

  const rjsfUiSchema: Record<string, unknown> = {};
  for (const field of fields) {
    const ui: Record<string, unknown> = {};
    if (field.type === FieldType.SECRET) ui['ui:widget'] = 'password';
    if (field.placeholder) ui['ui:placeholder'] = field.placeholder;
    if (field.helpText) ui['ui:help'] = field.helpText;
    if (Object.keys(ui).length > 0) rjsfUiSchema[field.key] = ui;
  }

  const jsonFormsUiSchema = {
    type: 'VerticalLayout',
    elements: groups.map((group) => ({
      type: 'Group',
      label: group,
      elements: fields
        .filter((field) => field.group === group)
        .map((field) => {
          const options: Record<string, unknown> = {};
          if (field.type === FieldType.SECRET) options.format = 'password';
          if (field.placeholder) options.placeholder = field.placeholder;
          return { type: 'Control', scope: `#/properties/${field.key}`, ...(Object.keys(options).length > 0 && { options }) };
        }),
    })),
  };

  const middle = Math.floor(groupCount / 2);
  return { size, fields, groups, values, jsonSchema, rjsfUiSchema, jsonFormsUiSchema, targetKey: `g${String(middle).padStart(3, '0')}_name` };
}
