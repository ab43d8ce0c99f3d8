/**
 * The server's top-level folders (and the plugins) form layers: a folder may use a folder
 * below it, never one that uses it back. A cycle between folders (instances → health →
 * instances) means neither can be read, tested or replaced without the other, so it fails
 * here, in `npm test`, naming one import of each direction. Type-only imports count: they
 * couple the folders' vocabularies just the same. `npm run check:cycles` runs this file alone.
 *
 * dependency-cruiser reads the imports (TypeScript's own resolution, `.ts` extensions
 * included); the grouping into folders and the cycle search are below, because its own
 * folder-level rules group by every folder level, not by the top-level units meant here.
 */
import { fileURLToPath } from 'node:url';
import { cruise } from 'dependency-cruiser';
import { describe, expect, it } from 'vitest';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));

/** `server/<folder>`, `plugins/<folder>`, or a top-level file of `server/` on its own. */
export function unitOf(path: string): string | undefined {
  return /^(server|plugins)\/[^/]+/.exec(path)?.[0];
}

type Graph = Map<string, Map<string, string>>;

async function folderGraph(): Promise<{ graph: Graph; moduleCycles: string[] }> {
  const previous = process.cwd();
  process.chdir(REPO); // dependency-cruiser reports paths relative to the working directory
  try {
    const result = await cruise(['server', 'plugins'], {
      tsPreCompilationDeps: true,
      doNotFollow: { path: 'node_modules' },
      exclude: { path: ['node_modules', '\\.codegen\\.ts$'] },
      tsConfig: { fileName: 'tsconfig.json' },
    });
    if (typeof result.output === 'string') throw new Error('dependency-cruiser returned text, expected its result object');
    const graph: Graph = new Map();
    const moduleCycles: string[] = [];
    for (const module of result.output.modules) {
      const from = unitOf(module.source);
      for (const dependency of module.dependencies) {
        if (dependency.circular && module.source.startsWith('plugins/')) moduleCycles.push(`${module.source} → ${dependency.resolved}`);
        const to = unitOf(dependency.resolved);
        if (from === undefined || to === undefined || from === to) continue;
        if (!graph.has(from)) graph.set(from, new Map());
        // One import per pair is enough to point at; the first in file order is stable.
        if (!graph.get(from)!.has(to)) graph.get(from)!.set(to, `${module.source} → ${dependency.resolved}`);
      }
    }
    return { graph, moduleCycles };
  } finally {
    process.chdir(previous);
  }
}

/** Strongly connected components with more than one unit (Tarjan): each holds at least one cycle. */
export function cyclicGroups(graph: Graph): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: string[][] = [];
  const visit = (unit: string) => {
    index.set(unit, next);
    low.set(unit, next++);
    stack.push(unit);
    onStack.add(unit);
    for (const to of graph.get(unit)?.keys() ?? []) {
      if (!index.has(to)) {
        visit(to);
        low.set(unit, Math.min(low.get(unit)!, low.get(to)!));
      } else if (onStack.has(to)) {
        low.set(unit, Math.min(low.get(unit)!, index.get(to)!));
      }
    }
    if (low.get(unit) === index.get(unit)) {
      const group: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        group.push(member);
      } while (member !== unit);
      if (group.length > 1) groups.push(group.sort());
    }
  };
  for (const unit of [...graph.keys()].sort()) if (!index.has(unit)) visit(unit);
  return groups;
}

function describeGroup(graph: Graph, group: string[]): string {
  const inside = new Set(group);
  const imports = group.flatMap((from) => [...(graph.get(from) ?? [])].filter(([to]) => inside.has(to)).map(([, example]) => `  ${example}`));
  return `${group.join(' ⇄ ')}:\n${imports.join('\n')}`;
}

describe('folder layering', () => {
  it('finds a cycle in a made-up graph, and none in a layered one', () => {
    const edges = (pairs: [string, string][]): Graph => {
      const graph: Graph = new Map();
      for (const [from, to] of pairs) graph.set(from, (graph.get(from) ?? new Map()).set(to, `${from} → ${to}`));
      return graph;
    };
    expect(cyclicGroups(edges([['a', 'b'], ['b', 'c'], ['c', 'a'], ['c', 'd']]))).toEqual([['a', 'b', 'c']]);
    expect(cyclicGroups(edges([['a', 'b'], ['b', 'c'], ['a', 'c']]))).toEqual([]);
    expect(unitOf('server/instances/provider-pool.ts')).toBe('server/instances');
    expect(unitOf('server/config.ts')).toBe('server/config.ts');
  });

  it('has no cycle between the top-level folders of server/ or plugins/, and none inside plugins/', async () => {
    const { graph, moduleCycles } = await folderGraph();
    expect(graph.get('server/graphql')?.size ?? 0).toBeGreaterThan(0); // the imports were read at all
    expect(cyclicGroups(graph).map((group) => describeGroup(graph, group))).toEqual([]);
    expect(moduleCycles).toEqual([]);
  }, 60_000);
});
