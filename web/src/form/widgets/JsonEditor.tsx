import { createSignal, Show, untrack } from 'solid-js';
import { formatJson, parseJsonText } from '../values.ts';
import type { WidgetProps } from './types.ts';

/**
 * JSON: a monospace textarea that parses as the user types. A parse error is reported at
 * once (it is not a rule violation that can wait for blur: the text is not a value yet) and
 * Format pretty-prints valid text. The text is the source of truth here; the form gets the
 * parsed value, or `undefined` plus the parse error.
 */
export function JsonEditor(props: WidgetProps) {
  const [text, setText] = createSignal(untrack(() => formatJson(props.value)));
  const parsed = () => parseJsonText(text());
  const shape = () => props.field.jsonShape ?? 'object';
  /** What the text is, when it parses but is not the shape the field holds ("a JSON string"). */
  const wrongShape = () => {
    const result = parsed();
    if (result.error || result.value === undefined) return undefined;
    const kind = jsonKind(result.value);
    return kind === shape() ? undefined : kind;
  };
  // "Valid JSON" only when the field will take it: never in green beside an error.
  const acceptable = () => !parsed().error && text().trim() !== '' && wrongShape() === undefined && !props.invalid;
  let area: HTMLTextAreaElement | undefined;

  const update = (next: string) => {
    setText(next);
    const result = parseJsonText(next);
    props.onInputError(result.error);
    props.onChange(result.value);
  };

  return (
    <div class="pf-json">
      <textarea
        ref={area}
        class="pf-input pf-textarea pf-json__text"
        id={props.ids.control}
        name={props.field.key}
        rows={6}
        spellcheck={false}
        autocapitalize="off"
        autocomplete="off"
        placeholder={props.field.placeholder ?? (props.field.jsonShape === 'array' ? '[ ]' : '{ }')}
        value={text()}
        aria-describedby={props.describedBy}
        aria-invalid={props.invalid || undefined}
        aria-required={props.required || undefined}
        onInput={(e) => update(e.currentTarget.value)}
        onKeyDown={(e) => {
          // Tab stays a focus move (keyboard users must be able to leave the editor);
          // Ctrl/Cmd+Shift+F formats, as in most code editors.
          if (e.key.toLowerCase() === 'f' && e.shiftKey && (e.ctrlKey || e.metaKey)) {
            e.preventDefault();
            format();
          }
        }}
      />
      <div class="pf-json__bar">
        <span class="pf-json__status" classList={{ 'pf-json__status--ok': acceptable() }}>
          <Show when={acceptable()}>Valid JSON</Show>
          <Show when={wrongShape()}>{(kind) => `This is a JSON ${kind()}; a JSON ${shape()} is expected`}</Show>
        </span>
        <button
          type="button"
          class="pf-button pf-button--ghost pf-button--small"
          disabled={Boolean(parsed().error) || text().trim() === ''}
          onClick={() => format()}
        >
          Format
        </button>
      </div>
    </div>
  );

  function format() {
    const result = parseJsonText(text());
    if (result.error || result.value === undefined) return;
    update(formatJson(result.value));
    area?.focus();
  }
}

function jsonKind(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'object' : typeof value;
}
