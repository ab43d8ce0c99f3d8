/** Diagnostic: the plain form's group typed into, alone on its page (plain-form.ts). */
import { installBench } from './harness.ts';
import { plainFormAdapter } from './plain-form.ts';

installBench(plainFormAdapter({ controls: 'typed group', groups: 'typed group' }));
