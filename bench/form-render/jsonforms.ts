/**
 * JSON Forms' page: @jsonforms/react with the vanilla renderers and cells, rendering
 * `toJsonSchema` output with a generated UI schema (a Group per x-group), validating on
 * every change and showing the errors (`ValidateAndShow`, the default).
 */
import { JsonForms } from '@jsonforms/react';
import { vanillaCells, vanillaRenderers } from '@jsonforms/vanilla-renderers';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { createElement } from 'react';
import { flushSync } from 'react-dom';
import { createRoot, type Root } from 'react-dom/client';
import { installBench } from './harness.ts';

// ajv-formats is CommonJS; its default export arrives wrapped under NodeNext typing.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

// JSON Forms' own createAjv() is draft-07; the same options on Ajv's 2020-12 class.
const ajv = new Ajv2020({ allErrors: true, verbose: true, strict: false, addUsedSchema: false });
addFormats(ajv);

let root: Root | undefined;

installBench({
  mount(container, form) {
    root = createRoot(container);
    flushSync(() =>
      root!.render(
        createElement(JsonForms, {
          schema: form.jsonSchema,
          uischema: form.jsonFormsUiSchema as never,
          data: form.values,
          renderers: vanillaRenderers,
          cells: vanillaCells,
          ajv: ajv as never,
          validationMode: 'ValidateAndShow',
        }),
      ),
    );
  },
  unmount() {
    root?.unmount();
    root = undefined;
  },
  // Vanilla controls give the input the control's id plus "-input"; the control's id is
  // the scope, with a counter appended when an earlier mount has not released it.
  input: (container, key) => container.querySelector<HTMLInputElement>(`input[id^="#/properties/${key}"][id$="-input"]`),
  // The control (id = the input's id without "-input") shows errors in its .validation_error.
  errorShown: (container, key) => {
    const input = container.querySelector<HTMLInputElement>(`input[id^="#/properties/${key}"][id$="-input"]`);
    const control = input && document.getElementById(input.id.slice(0, -'-input'.length));
    return Boolean(control?.querySelector('.validation_error')?.textContent);
  },
});
