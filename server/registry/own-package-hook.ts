/**
 * Lets every plugin import the SDK by the package's name (`plugform/sdk`,
 * `plugform/sdk/http-helpers`; the subpaths are the `exports` of package.json), wherever the
 * plugin lives.
 *
 * Inside this repository Node resolves the name by itself (a package may import its own
 * name). A plugin folder outside it (`./plugins` of another working directory, a
 * `PLUGIN_PATHS` entry) has no `node_modules/plugform`, so the import would fail there. The
 * hook resolves the name as this package does, from here, for every importer.
 *
 * Why a hook, and this kind: `registerHooks` runs in this thread, synchronously, and is
 * asked for `import` and `require()` alike, with no loader thread and no command-line flag.
 * `require()` matters: tsx compiles a `.ts` plugin outside a package of type module as
 * CommonJS. Changing the importer in the context (`parentURL`) is honoured for `import` but
 * not for such a `require()`, so the hook answers with the resolved URL itself (the name
 * resolved from this module, which is inside the package).
 *
 * Why always this package, even when the plugin folder has its own `node_modules/plugform`
 * (an author's editor needs one for types): a plugin runs against the SDK of the server
 * that loads it; a second copy of the SDK would be a second source of its rules.
 */
import { readFileSync } from 'node:fs';
import { registerHooks } from 'node:module';

const PACKAGE_NAME = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { name: string }).name;

/**
 * Marks the process as hooked. A symbol on `globalThis`, not a module variable: a test runner
 * that evaluates this module again per test file must not stack one hook per evaluation.
 */
const INSTALLED = Symbol.for('plugform.own-package-hook');
/** Set while the hook resolves a name itself, so that the inner resolution is Node's own. */
let resolvingOwnName = false;

function isOwnPackageSpecifier(specifier: string): boolean {
  return specifier === PACKAGE_NAME || specifier.startsWith(`${PACKAGE_NAME}/`);
}

/** Installs the hook once per process; later calls do nothing. */
export function resolveOwnPackageNameEverywhere(): void {
  const processWide = globalThis as { [INSTALLED]?: true };
  if (processWide[INSTALLED]) return;
  processWide[INSTALLED] = true;
  registerHooks({
    resolve(specifier, context, nextResolve) {
      if (resolvingOwnName || !isOwnPackageSpecifier(specifier)) return nextResolve(specifier, context);
      resolvingOwnName = true;
      try {
        // This module is inside the package, so Node resolves the name through its `exports`.
        return { url: import.meta.resolve(specifier), shortCircuit: true };
      } finally {
        resolvingOwnName = false;
      }
    },
  });
}
