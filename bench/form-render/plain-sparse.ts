/** Diagnostic: the plain form with real controls only in the group typed into (plain-form.ts). */
import { installBench } from './harness.ts';
import { plainFormAdapter } from './plain-form.ts';

installBench(plainFormAdapter({ controls: 'typed group', groups: 'every group' }));
