import { Select } from '@kobalte/core/select';
import { Show, type JSX } from 'solid-js';
import type { SelectOption } from '../../sdk.ts';
import { adopt, createUpgrade, type Adopted } from './lazy.ts';
import type { WidgetProps } from './types.ts';

/** The elements a select's stand-in renders and Kobalte's Select takes over (lazy.ts). */
interface SelectElements {
  root: HTMLDivElement;
  trigger: HTMLButtonElement;
  value: HTMLSpanElement;
  icon: HTMLSpanElement;
}

export interface LazySelectProps {
  widget: WidgetProps;
  /** The class of the Select's root element. */
  rootClass: string;
  /** The trigger's text for the current value; undefined when nothing is chosen (the placeholder shows). */
  text: () => string | undefined;
  placeholder: string;
  /**
   * Kobalte's Select (with `class`, `placeholder` and its own options and handlers), rooted
   * at `as`, holding `parts()` (a function: the parts need the Select's context).
   */
  select: (as: Adopted, parts: () => JSX.Element) => JSX.Element;
}

/**
 * SELECT and MULTI_SELECT: Kobalte's Select, mounted lazily. Until the user comes near it, a
 * stand-in renders exactly the markup the Select renders while closed — a button with
 * aria-haspopup="listbox", named "<label> <choice>" through the value's id — and the first
 * pointer, focus or key event upgrades it to the Select, which takes over those elements.
 */
export function LazySelect(props: LazySelectProps) {
  const lazy = createUpgrade();
  const elements = {} as SelectElements;
  return (
    <Show
      when={lazy.upgraded()}
      fallback={
        <div role="group" data-closed="" class={props.rootClass} ref={elements.root}>
          <button
            type="button"
            ref={(el) => lazy.watch((elements.trigger = el))}
            id={props.widget.ids.control}
            aria-haspopup="listbox"
            aria-expanded="false"
            data-closed=""
            class="pf-input pf-select__trigger"
            aria-labelledby={`${props.widget.ids.label} ${props.widget.ids.control}-value`}
            aria-describedby={props.widget.describedBy}
            aria-invalid={props.widget.invalid || undefined}
          >
            <span
              ref={elements.value}
              id={`${props.widget.ids.control}-value`}
              class="pf-select__value"
              data-placeholder-shown={props.text() === undefined ? '' : undefined}
            >
              {props.text() ?? props.placeholder}
            </span>
            <span ref={elements.icon} aria-hidden="true" data-closed="" class="pf-select__icon">
              ▾
            </span>
          </button>
        </div>
      }
    >
      {props.select(adopt(elements.root), () => (
        <SelectParts widget={props.widget} text={props.text} elements={elements} />
      ))}
    </Show>
  );
}

/** The Select's trigger (with the chosen value's text) and its listbox, on the stand-in's elements. */
function SelectParts(props: { widget: WidgetProps; text: () => string | undefined; elements: SelectElements }) {
  return (
    <>
      <Select.Trigger<Adopted>
        as={adopt(props.elements.trigger)}
        class="pf-input pf-select__trigger"
        id={props.widget.ids.control}
        // Kobalte appends the value's id, so the name reads "<label> <choice>".
        aria-labelledby={props.widget.ids.label}
        aria-describedby={props.widget.describedBy}
        aria-invalid={props.widget.invalid || undefined}
      >
        <Select.Value<SelectOption, Adopted> as={adopt(props.elements.value, 'replace')} class="pf-select__value" id={`${props.widget.ids.control}-value`}>
          {() => props.text() ?? ''}
        </Select.Value>
        <Select.Icon<Adopted> as={adopt(props.elements.icon)} class="pf-select__icon" aria-hidden="true">
          ▾
        </Select.Icon>
      </Select.Trigger>
      <Select.Portal>
        <Select.Content class="pf-popover" data-pf-owner={props.widget.field.key}>
          <Select.Listbox class="pf-listbox" />
        </Select.Content>
      </Select.Portal>
    </>
  );
}
