/** Writing a bench's latest table into bench/README.md (`--write`), shared by every bench. */
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';

/** Replaces the text between `<!-- name:start -->` and `<!-- name:end -->` in bench/README.md. */
export async function writeSection(name: string, content: string): Promise<void> {
  const path = resolve(import.meta.dirname, 'README.md');
  const text = await readFile(path, 'utf8');
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < 0) throw new Error(`bench/README.md has no ${start} … ${end} markers`);
  await writeFile(path, `${text.slice(0, from + start.length)}\n${content}\n${text.slice(to)}`);
  console.log(`wrote the ${name} table to bench/README.md`);
}
