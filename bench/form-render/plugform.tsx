/** Plugform's page: the console's own ConfigForm and stylesheets, in a production build. */
import { render } from 'solid-js/web';
import { ConfigForm } from '../../web/src/form/index.ts';
import '../../web/src/styles/base.css';
import '../../web/src/styles/form.css';
import { installBench } from './harness.ts';

let dispose: (() => void) | undefined;

/**
 * Diagnostic variants of this page, chosen by `?variant=` (bench/README.md, "What a key press
 * costs beyond a lone input"): the same form with a part of it taken away once it is complete,
 * to see what that part costs a key press.
 * - `no-script`: the typed input's key and input events stop before Plugform's listeners.
 * - `one-block`: every block of sections but the typed one is hidden.
 * - `one-field`: every field but the typed one is hidden, with the other blocks and sections,
 *   the note and the action bar, and no script on the typed input.
 */
const variant = new URLSearchParams(location.search).get('variant');
/** The input typed into, once the form is complete: the one whose events `no-script` stops. */
let typed: EventTarget | null = null;
const inputOf = (container: HTMLElement, key: string) => container.querySelector<HTMLInputElement>(`input[name="${key}"]`);
const hideAllBut = (container: HTMLElement, selector: string, keep: Element) => {
  for (const element of container.querySelectorAll<HTMLElement>(selector)) if (!element.contains(keep)) element.style.display = 'none';
};

installBench({
  // Solid's render() builds the first screen synchronously; the rest follows in later frames.
  mount(container, form) {
    dispose = render(
      () => <ConfigForm aria-label="Benchmark form" fields={form.fields} groups={form.groups} values={form.values} submitLabel="Save" />,
      container,
    );
  },
  unmount() {
    dispose?.();
    dispose = undefined;
  },
  input: inputOf,
  // Sections still to mount are aria-busy (web/src/form/progressive.ts).
  complete: (container) => container.querySelector('[aria-busy="true"]') === null,
  prepare(container, form) {
    const input = inputOf(container, form.targetKey)!;
    typed = input;
    if (variant === 'one-block' || variant === 'one-field') hideAllBut(container, '.pf-form__block', input);
    if (variant === 'one-field') {
      for (const selector of ['.pf-section', '.pf-field', '.pf-form__note', '.pf-form__actions']) hideAllBut(container, selector, input);
    }
  },
  errorShown: (container, key) => Boolean(container.querySelector(`[data-field="${key}"] .pf-field__error`)?.textContent),
});

if (variant === 'no-script' || variant === 'one-field') {
  // Registered after installBench's keydown listener on the window, so that one still runs.
  const stop = (event: Event) => event.target === typed && event.stopImmediatePropagation();
  for (const type of ['keydown', 'beforeinput', 'input', 'keyup']) window.addEventListener(type, stop, { capture: true });
}
