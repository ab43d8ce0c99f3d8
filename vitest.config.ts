import { defineConfig } from 'vitest/config';
import solid from 'vite-plugin-solid';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'node',
          include: ['test/**/*.test.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
          // Suites start real servers and databases; two cores do best with two workers.
          maxWorkers: 2,
        },
      },
      {
        // The console's component tests: Solid's JSX transform and a DOM (jsdom).
        plugins: [solid()],
        test: {
          name: 'web',
          include: ['test/web/**/*.test.tsx'],
          environment: 'jsdom',
          setupFiles: ['test/web/setup.ts'],
          // Its own group: jsdom suites do not share workers with the node suites' servers
          // (and vitest refuses to group projects whose maxWorkers differ).
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
