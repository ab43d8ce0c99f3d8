/** Plugform's page: the console's own ConfigForm and stylesheets, in a production build. */
import { render } from 'solid-js/web';
import { ConfigForm } from '../../web/src/form/index.ts';
import '../../web/src/styles/base.css';
import '../../web/src/styles/form.css';
import { installBench } from './harness.ts';

let dispose: (() => void) | undefined;

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
  input: (container, key) => container.querySelector<HTMLInputElement>(`input[name="${key}"]`),
  // Sections still to mount are aria-busy (web/src/form/progressive.ts).
  complete: (container) => container.querySelector('[aria-busy="true"]') === null,
  errorShown: (container, key) => Boolean(container.querySelector(`[data-field="${key}"] .pf-field__error`)?.textContent),
});
