/**
 * bench/api-throughput's baseline: a bare graphql-yoga serving Plugform's committed
 * schema.graphql (graphql-js `buildSchema`), whose Query fields return answers captured from
 * the real server at the start of the run, from memory (BENCH_ANSWERS: a JSON file of
 * `{ viewer, plugins, pluginLoadErrors, pluginInstances }`), each set as its field's resolver;
 * nested fields use graphql-js's default resolvers. The Authorization header is accepted and not checked. Prints `READY <url>`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { buildSchema } from 'graphql';
import { createYoga } from 'graphql-yoga';

const answers = JSON.parse(readFileSync(process.env['BENCH_ANSWERS']!, 'utf8')) as Record<string, unknown>;
const schema = buildSchema(readFileSync(resolve(import.meta.dirname, '../../schema.graphql'), 'utf8'));
// makeExecutableSchema's way: a resolver on each Query field that the bench asks for.
const queryFields = schema.getQueryType()!.getFields();
for (const [field, value] of Object.entries(answers)) queryFields[field]!.resolve = () => value;
const yoga = createYoga({ schema, graphqlEndpoint: '/graphql', logging: false, landingPage: false, graphiql: false });
const server = createServer(yoga);
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`READY http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
});
// BENCH_PROFILE=<dir>: a CPU profile of the serving, as Plugform's (bench/api-throughput/plugform.ts).
const profileDir = process.env['BENCH_PROFILE'];
const profiler = profileDir ? new Session() : undefined;
if (profiler) {
  profiler.connect();
  await profiler.post('Profiler.enable');
  await profiler.post('Profiler.start');
}
process.on('SIGTERM', async () => {
  if (profiler) writeFileSync(join(profileDir!, `baseline-${Date.now()}.cpuprofile`), JSON.stringify((await profiler.post('Profiler.stop')).profile));
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
