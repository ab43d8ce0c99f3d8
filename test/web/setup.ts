import { afterEach, beforeEach, vi } from 'vitest';
import { cleanup } from '@solidjs/testing-library';

afterEach(cleanup);

// jsdom has no layout, so it does not implement scrolling (and says so on stderr); the
// console scrolls to the top on navigation, which here is simply a no-op.
window.scrollTo = () => undefined;

// "No console errors or warnings": any console.error/warn during a test fails it.
let spies: ReturnType<typeof vi.spyOn>[] = [];
beforeEach(() => {
  spies = [vi.spyOn(console, 'error'), vi.spyOn(console, 'warn')];
});
afterEach(() => {
  const calls = spies.flatMap((spy) => spy.mock.calls);
  for (const spy of spies) spy.mockRestore();
  if (calls.length > 0) throw new Error(`console output during the test:\n${calls.map((c) => c.join(' ')).join('\n')}`);
});
