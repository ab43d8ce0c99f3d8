/**
 * react-jsonschema-form's page: @rjsf/core with its default (Bootstrap-3-class, unstyled)
 * theme and the Ajv 8 validator, rendering `toJsonSchema` output with live validation.
 * No JSX: this repo's JSX is Solid's, and a single createElement call needs none.
 */
import Form from '@rjsf/core';
import { customizeValidator } from '@rjsf/validator-ajv8';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { createElement } from 'react';
import { flushSync } from 'react-dom';
import { createRoot, type Root } from 'react-dom/client';
import { installBench } from './harness.ts';

// toJsonSchema emits JSON Schema 2020-12, which the default (draft-07) Ajv refuses. One
// validator for the page, as an application would have: it caches compiled schemas.
// (The cast: rjsf types AjvClass as the draft-07 class, of which Ajv2020 is a sibling.)
const validator = customizeValidator({ AjvClass: Ajv2020 as never });

let root: Root | undefined;

installBench({
  mount(container, form) {
    root = createRoot(container);
    // createRoot().render() commits in a later task; flushSync makes the mount synchronous
    // like Solid's, so the frame measured is the one that shows the form.
    flushSync(() =>
      root!.render(
        createElement(Form, {
          schema: form.jsonSchema,
          uiSchema: form.rjsfUiSchema,
          formData: form.values,
          validator,
          liveValidate: 'onChange',
        }),
      ),
    );
  },
  unmount() {
    root?.unmount();
    root = undefined;
  },
  input: (container, key) => container.querySelector<HTMLInputElement>(`#root_${key}`),
  errorShown: (container, key) => Boolean(container.querySelector(`#root_${key}__error`)?.textContent),
});
