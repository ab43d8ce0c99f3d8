/** The same form in plain HTML, whole (plain-form.ts): the second key-press floor. */
import { installBench } from './harness.ts';
import { plainFormAdapter } from './plain-form.ts';

installBench(plainFormAdapter({ controls: 'every group', groups: 'every group' }));
