/**
 * `npm run db:migration:create -- <name>`: writes the next migration from the changes in
 * schema.prisma, offline (see ../create-migration.ts). Prints 'no changes' when there are none.
 */
import { relative } from 'node:path';
import { createMigration } from '../create-migration.ts';

const name = process.argv.slice(2).join(' ').trim();
if (!name) {
  console.error('usage: npm run db:migration:create -- <name>   (e.g. add_api_token_scopes)');
  process.exit(2);
}
const created = await createMigration(name);
if (created) {
  console.log(`created ${relative(process.cwd(), created.path)}`);
  console.log('review it (DROP and ALTER statements lose data), run `npm run codegen` for the client, and commit both');
} else {
  console.log('no changes: schema.prisma already matches the migrations');
}
