import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';
import solid from 'vite-plugin-solid';

// Pothos and yoga load graphql-js through Node (its CommonJS build); without this alias a test
// file's own `import 'graphql'` would get the ES build, a second copy whose classes fail
// graphql-js's realm checks ("Cannot use GraphQLObjectType from another module or realm").
const graphqlEntry = createRequire(import.meta.url).resolve('graphql');

export default defineConfig({
  test: {
    reporters: ['default', './test/support/summary-reporter.ts'],
    projects: [
      {
        resolve: { alias: [{ find: /^graphql$/, replacement: graphqlEntry }] },
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
