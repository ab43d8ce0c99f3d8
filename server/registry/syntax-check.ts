/**
 * Where a plugin file fails to parse, found by parsing it once more with esbuild (the compiler
 * tsx runs on `.ts` files).
 *
 * The loaders report a syntax error each in their own way, and not all of them say where it
 * is: Node's ESM `SyntaxError` (a `.mjs` file) has only the message, its type stripping (a
 * `.ts` file) the same, tsx's import scanner says `Parse error <file>:1:1` whatever the line,
 * Vite (under vitest) has both in a frame. Asking one parser gives one reason, with its real
 * position, whichever loader ran the plugin.
 */
import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { transform, type Message } from 'esbuild';

/**
 * `SyntaxError: <message> (<file>:<line>:<column>)` (both 1-based, as editors count) for the
 * first syntax error of the file, or `undefined` when it parses (or cannot be read).
 */
export async function syntaxErrorIn(path: string): Promise<string | undefined> {
  let source: string;
  try {
    source = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    await transform(source, { loader: extname(path) === '.ts' ? 'ts' : 'js', sourcefile: path });
    return undefined;
  } catch (error) {
    const first = (error as { errors?: Message[] }).errors?.[0];
    if (first === undefined) return undefined;
    const at = first.location;
    if (at === null) return `SyntaxError: ${first.text} (${basename(path)})`;
    // esbuild counts columns in UTF-8 bytes; editors count characters.
    const column = Buffer.from(at.lineText).subarray(0, at.column).toString('utf8').length + 1;
    return `SyntaxError: ${first.text} (${basename(path)}:${at.line}:${column})`;
  }
}
