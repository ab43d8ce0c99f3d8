/**
 * bench/form-render: time to first render and keystroke-to-paint latency of Plugform's form
 * renderer next to react-jsonschema-form and JSON Forms, on forms of 50, 200, 1,000 and 5,000
 * fields generated from the same schema, all in one Chromium run.
 *
 *   npm run bench:form -- [--sizes 50,200,1000] [--iterations 7] [--warmup 2]
 *                          [--keystrokes 60] [--key-rounds 2] [--vsync] [--write]
 *                          [--libraries plugform,native,plain]   (a subset, without --write;
 *                           the diagnostic pages, plain-sparse, plain-one-group and
 *                           plugform-no-script / -one-block / -one-field, run only when named)
 *
 * Each library gets its own page (bench/form-render/<id>.ts in the same HTML shell; a
 * variant of Plugform's page is Plugform's with `?variant=`), built for production with
 * vite's build API into a temp dir and served by a local static server.
 * The timing itself happens in the page (bench/form-render/harness.ts); this script only
 * drives it.
 * `--write` replaces the form-render table in bench/README.md with this run's numbers.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { extname, join, normalize, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium, type Page } from 'playwright-core';
import { build, type Plugin } from 'vite';
import solid from 'vite-plugin-solid';
import type { MountSample } from './form-render/harness.ts';
import { writeSection } from './readme-section.ts';

const { values: args } = parseArgs({
  options: {
    sizes: { type: 'string', default: '50,200,1000,5000' },
    libraries: { type: 'string' }, // default: every page of the README's tables
    iterations: { type: 'string', default: '7' },
    warmup: { type: 'string', default: '2' },
    keystrokes: { type: 'string', default: '60' },
    'key-rounds': { type: 'string', default: '2' },
    vsync: { type: 'boolean', default: false },
    write: { type: 'boolean', default: false },
  },
});
const SIZES = args.sizes.split(',').map(Number);
const ITERATIONS = Number(args.iterations);
const WARMUP = Number(args.warmup);
const KEYSTROKES = Number(args.keystrokes);
const KEY_ROUNDS = Number(args['key-rounds']);
/** Key presses typed (and not timed) at the start of each round. */
const KEY_WARMUP = 5;

const PAGES_DIR = resolve(import.meta.dirname, 'form-render');
/**
 * Every page: a `library` is compared with Plugform; a `floor` has no library (what Chromium
 * alone costs); a `diagnostic` page runs only when named in --libraries and never goes into
 * the README's tables (bench/README.md, "What a key press costs beyond a lone input").
 */
const ALL_LIBRARIES = [
  { id: 'plugform', kind: 'library', name: 'Plugform', short: 'Plugform' },
  { id: 'rjsf', kind: 'library', name: 'react-jsonschema-form', short: 'rjsf' },
  { id: 'jsonforms', kind: 'library', name: 'JSON Forms', short: 'JSON Forms' },
  // No library and no form: one plain input (bench/form-render/native.ts). What a key press
  // costs the browser alone in this harness, the floor under every library's key press.
  { id: 'native', kind: 'floor', name: 'one plain input (key-press floor)', short: 'one input' },
  // No library: the same fields as plain labelled controls in fieldsets (bench/form-render/plain.ts).
  // What Chromium costs for a page holding this many form controls, before any framework.
  { id: 'plain', kind: 'floor', name: 'the same form in plain HTML (no script)', short: 'plain HTML' },
  // Variants of the plain form (bench/form-render/plain-form.ts).
  { id: 'plain-sparse', kind: 'diagnostic', name: 'the plain form, controls only in the typed group', short: 'sparse plain' },
  { id: 'plain-one-group', kind: 'diagnostic', name: 'the plain form, the typed group alone', short: 'one plain group' },
  // Plugform's own page with a part of it taken away after each mount (bench/form-render/plugform.tsx).
  { id: 'plugform-no-script', kind: 'diagnostic', page: 'plugform', variant: 'no-script', name: 'Plugform, no script on the typed input', short: 'no script' },
  { id: 'plugform-one-block', kind: 'diagnostic', page: 'plugform', variant: 'one-block', name: 'Plugform, the typed block alone shown', short: 'one block' },
  { id: 'plugform-one-field', kind: 'diagnostic', page: 'plugform', variant: 'one-field', name: 'Plugform, the typed field alone shown, no script', short: 'one field' },
] as const;
type Library = (typeof ALL_LIBRARIES)[number];
type LibraryId = Library['id'];
/** The page module a library runs in: its own, or Plugform's for a variant of it. */
const pageOf = (lib: Library): string => ('page' in lib ? lib.page : lib.id);
/** The pages of the README's tables: what a run without --libraries runs, and what --write needs. */
const TABLED = ALL_LIBRARIES.filter((lib) => lib.kind !== 'diagnostic');
/** `--libraries` runs a subset (e.g. `plugform,native` while working on Plugform's key press); only a full run writes the README. */
const requested = args.libraries?.split(',') ?? TABLED.map((lib) => lib.id);
const unknown = requested.filter((id) => !ALL_LIBRARIES.some((lib) => lib.id === id));
if (unknown.length > 0) throw new Error(`--libraries: no page ${unknown.join(', ')} (there are ${ALL_LIBRARIES.map((lib) => lib.id).join(', ')})`);
const LIBRARIES = ALL_LIBRARIES.filter((lib) => requested.includes(lib.id));
const FULL_RUN = TABLED.every((lib) => LIBRARIES.includes(lib));
if (args.write && (!FULL_RUN || LIBRARIES.length > TABLED.length))
  throw new Error('--write needs every library and no diagnostic page: the README tables compare exactly those');
/** The pages without a library: no validation, and no ratio of Plugform's to theirs but in the floor table. */
const REFERENCES = new Set<LibraryId>(ALL_LIBRARIES.filter((lib) => lib.kind !== 'library').map((lib) => lib.id));
/** The pages that must show a live validation error. */
const VALIDATING = LIBRARIES.filter((lib) => !REFERENCES.has(lib.id));

interface Result {
  firstRender: number[];
  complete: number[];
  keystrokes: number[];
  elements: number;
}

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}
const median = (samples: number[]) => percentile(samples, 50);
const ms = (value: number) => (value >= 100 ? value.toFixed(0) : value.toFixed(1));

/**
 * Every page is the same shell around its own module (`bench/form-render/<id>.ts`, or `.tsx`
 * for Plugform's JSX): a console-width column with the `#root` the harness mounts into.
 * Vite wants an HTML file per entry; this plugin hands it the shell for `<id>.html` instead.
 */
function pageShell(page: string): Plugin {
  const id = join(PAGES_DIR, `${page}.html`);
  const module = page === 'plugform' ? 'plugform.tsx' : `${page}.ts`;
  const html = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="UTF-8" />
    <link rel="icon" href="data:," />
    <title>form-render · ${page}</title>
    <style>
      #root { max-width: 760px; margin: 24px auto; }
    </style>
  </head>
  <body>
    <div id="root"></div>
    <script type="module" src="./${module}"></script>
  </body>
</html>
`;
  return { name: 'bench-page-shell', resolveId: (source) => (source === id ? id : undefined), load: (source) => (source === id ? html : undefined) };
}

/** Production builds of the pages, one vite build each (only Plugform's needs Solid's JSX). */
async function buildPages(outDir: string): Promise<void> {
  for (const page of new Set(LIBRARIES.map(pageOf))) {
    const started = performance.now();
    await build({
      configFile: false,
      root: PAGES_DIR,
      // Bundler notes about the libraries ("use client" directives, chunk size) are noise here.
      logLevel: 'error',
      mode: 'production',
      base: `/${page}/`, // each page is served from its own folder
      plugins: [pageShell(page), ...(page === 'plugform' ? [solid()] : [])],
      build: {
        outDir: join(outDir, page),
        emptyOutDir: true,
        rollupOptions: { input: join(PAGES_DIR, `${page}.html`) },
      },
    });
    console.log(`built ${page} page in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

function serve(dir: string): Promise<Server> {
  const server = createServer(async (req, res) => {
    const path = normalize(join(dir, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)));
    if (!path.startsWith(dir)) return void res.writeHead(403).end();
    try {
      const body = await readFile(path);
      res.writeHead(200, { 'content-type': CONTENT_TYPES[extname(path)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r(server)));
}

async function main(): Promise<void> {
  const runStarted = performance.now();
  const loadBefore = loadavg()[0]!;
  const outDir = await mkdtemp(join(tmpdir(), 'plugform-form-render-'));
  const server = await buildPages(outDir).then(() => serve(outDir));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-gpu',
      // window.gc(): collect before each mount, so one library's garbage is not timed as another's render.
      '--js-flags=--expose-gc',
      // Frames as soon as they are asked for, not on a 60 Hz tick: otherwise every key press
      // waits 0–16.7 ms for the tick, which hides differences of a few ms (see bench/README.md).
      ...(args.vsync ? [] : ['--disable-frame-rate-limit', '--disable-gpu-vsync']),
    ],
  });

  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const pages = {} as Record<LibraryId, Page>;
    for (const lib of LIBRARIES) {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (err) => errors.push(err.message));
      page.on('console', (msg) => msg.type() === 'error' && errors.push(msg.text()));
      await page.goto(`${origin}/${pageOf(lib)}/${pageOf(lib)}.html${'variant' in lib ? `?variant=${lib.variant}` : ''}`);
      await page.waitForFunction(() => 'bench' in window, undefined, { timeout: 15_000 }).catch((err: Error) => errors.push(err.message));
      if (errors.length > 0) throw new Error(`${lib.id} page: ${errors.join('; ')}`);
      pages[lib.id] = page;
    }
    console.log(`Chromium ${browser.version()}, ${availableParallelism()} cores, load average ${loadBefore.toFixed(2)}`);

    // Only the page in front gets frames (requestAnimationFrame), so each step brings its page forward.
    const mount = async (lib: LibraryId, size: number): Promise<MountSample> => {
      const page = pages[lib];
      await page.bringToFront();
      return page.evaluate((n) => window.bench.mount(n), size);
    };
    const unmount = (lib: LibraryId) => pages[lib].evaluate(() => window.bench.unmount());

    // Before timing anything: every page must really validate as the user types, or it
    // would be timed doing less work. An uppercase letter breaks the slug's pattern;
    // Tab leaves the field (Plugform shows an error once the field has been left).
    for (const lib of VALIDATING) {
      const page = pages[lib.id];
      await mount(lib.id, SIZES[0]!);
      if (await page.evaluate(() => window.bench.errorShown('g000_slug'))) throw new Error(`${lib.id}: an error shows before any input`);
      await page.evaluate(() => window.bench.focus('g000_slug'));
      await page.keyboard.type('X');
      await page.keyboard.press('Tab');
      if (!(await page.evaluate(() => window.bench.errorShown('g000_slug')))) throw new Error(`${lib.id}: no error for an invalid slug`);
      await page.evaluate(() => window.bench.release());
      await unmount(lib.id);
    }
    console.log('validation check: every library shows a live error for an invalid value');

    const results = new Map<string, Result>();
    const resultOf = (lib: LibraryId, size: number) => {
      const id = `${lib}:${size}`;
      if (!results.has(id)) results.set(id, { firstRender: [], complete: [], keystrokes: [], elements: 0 });
      return results.get(id)!;
    };

    for (const size of SIZES) {
      for (const lib of LIBRARIES) {
        for (let i = 0; i < WARMUP; i++) {
          await mount(lib.id, size);
          await unmount(lib.id);
        }
        console.log(`[${size} fields] ${lib.id}: ${WARMUP} warm-up mounts done`);
      }

      // Iterations interleave the libraries (in a rotating order), so a burst of load from
      // other work on the machine is shared out instead of landing on one library.
      for (let i = 0; i < ITERATIONS; i++) {
        for (let j = 0; j < LIBRARIES.length; j++) {
          const lib = LIBRARIES[(i + j) % LIBRARIES.length]!;
          const sample = await mount(lib.id, size);
          await unmount(lib.id);
          const result = resultOf(lib.id, size);
          result.firstRender.push(sample.firstRender);
          result.complete.push(sample.complete);
          result.elements = sample.elements;
          // Work that lands after the measured frame would be missed, so it is reported.
          const late = sample.lateMutations > 0 ? `, ${sample.lateMutations} DOM mutations after that paint` : '';
          console.log(
            `[${size} fields] ${lib.id} mount ${i + 1}/${ITERATIONS}: first render ${ms(sample.firstRender)} ms ` +
              (sample.complete > sample.firstRender ? `(every field in the DOM at ${ms(sample.complete)} ms) ` : '') +
              `(script ${ms(sample.script)} ms, ${sample.elements} elements${late})`,
          );
        }
      }

      // Key presses in rounds, each on a fresh mount and interleaved like the mounts.
      const perRound = Math.ceil(KEYSTROKES / KEY_ROUNDS);
      for (let round = 0; round < KEY_ROUNDS; round++) {
        for (let j = 0; j < LIBRARIES.length; j++) {
          const lib = LIBRARIES[(round + j) % LIBRARIES.length]!;
          const page = pages[lib.id];
          await mount(lib.id, size);
          const before = await page.evaluate(() => window.bench.focus());
          const text = 'abcdefghijklmnopqrstuvwxyz0123456789'.repeat(4).slice(0, KEY_WARMUP + perRound);
          const samples: number[] = [];
          for (const [index, char] of [...text].entries()) {
            await page.keyboard.type(char);
            const latency = await page.evaluate((n) => window.bench.keystroke(n), index);
            if (index >= KEY_WARMUP) samples.push(latency);
          }
          // The library must have taken every key: a controlled input that lagged or
          // dropped one would make its latency look better than it is.
          const after = await page.evaluate(() => window.bench.release());
          if (after !== before + text) throw new Error(`${lib.id}: the input holds "${after}", expected "${before + text}"`);
          await unmount(lib.id);
          resultOf(lib.id, size).keystrokes.push(...samples);
          console.log(
            `[${size} fields] ${lib.id} key presses, round ${round + 1}/${KEY_ROUNDS}: ` +
              `p50 ${ms(median(samples))} ms, p95 ${ms(percentile(samples, 95))} ms, max ${ms(Math.max(...samples))} ms`,
          );
        }
      }
    }

    const loadAfter = loadavg()[0]!;
    const seconds = (performance.now() - runStarted) / 1000;
    const table = report(results, {
      chromium: browser.version(),
      loadBefore,
      loadAfter,
      seconds,
    });
    console.log(`\n${table}\n`);
    if (args.write) await writeSection('form-render', table);
  } finally {
    await browser.close();
    server.close();
    await rm(outDir, { recursive: true, force: true });
  }
}

function report(results: Map<string, Result>, run: { chromium: string; loadBefore: number; loadAfter: number; seconds: number }): string {
  const get = (lib: LibraryId, size: number) => results.get(`${lib}:${size}`)!;
  const lines = [
    `Run of ${new Date().toISOString().slice(0, 10)}: Chromium ${run.chromium} (headless` +
      `${args.vsync ? ', 60 Hz frames' : ', frames not tied to vsync'}), ${availableParallelism()} cores, ` +
      `**1-minute load average ${run.loadBefore.toFixed(1)} at the start and ${run.loadAfter.toFixed(1)} at the end** ` +
      `(the machine was shared with other work); the whole run took ${Math.round(run.seconds)} s. ` +
      `First render: median of ${ITERATIONS} mounts after ${WARMUP} warm-up mounts; keystroke: p50 / p95 of ` +
      `${KEYSTROKES} key presses (${KEY_ROUNDS} mounts, ${KEY_WARMUP} untimed presses first on each). Times in ms.`,
    '',
    '| Fields | Library | DOM elements | First render (min–max) | Every field in the DOM | Keystroke p50 | Keystroke p95 |',
    '| ---: | --- | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const size of SIZES) {
    for (const lib of LIBRARIES) {
      const r = get(lib.id, size);
      lines.push(
        `| ${size} | ${lib.name} | ${r.elements} | ${ms(median(r.firstRender))} (${ms(Math.min(...r.firstRender))}–${ms(Math.max(...r.firstRender))}) ` +
          `| ${ms(median(r.complete))} | ${ms(median(r.keystrokes))} | ${ms(percentile(r.keystrokes, 95))} |`,
      );
    }
  }

  // Plugform's time divided by the other library's: below 1× Plugform is faster.
  const ratio = (ours: number, theirs: number, name: string) => `${(ours / theirs).toFixed(2)}× ${name}`;
  if (!FULL_RUN) {
    // A subset (--libraries): Plugform's key press next to whichever reference page ran.
    const references = LIBRARIES.some((lib) => lib.id === 'plugform') ? LIBRARIES.filter((lib) => REFERENCES.has(lib.id)) : [];
    for (const size of SIZES) {
      for (const reference of references) {
        const [plugform, other] = [get('plugform', size), get(reference.id, size)];
        lines.push(
          '',
          `${size} fields, Plugform's key press: p50 ${ratio(median(plugform.keystrokes), median(other.keystrokes), reference.short)}, ` +
            `p95 ${ratio(percentile(plugform.keystrokes, 95), percentile(other.keystrokes, 95), reference.short)}`,
        );
      }
    }
    return lines.join('\n');
  }
  lines.push('', "Plugform's time as a multiple of the other library's (below 1× = Plugform is faster):", '');
  lines.push('| Fields | First render | Every field in the DOM | Keystroke p50 | Keystroke p95 |', '| ---: | --- | --- | --- | --- |');
  for (const size of SIZES) {
    const ours = get('plugform', size);
    const cells = [
      (r: Result) => median(r.firstRender),
      (r: Result) => median(r.complete),
      (r: Result) => median(r.keystrokes),
      (r: Result) => percentile(r.keystrokes, 95),
    ].map((metric) =>
      LIBRARIES.filter((lib) => lib.id !== 'plugform' && !REFERENCES.has(lib.id))
        .map((lib) => ratio(metric(ours), metric(get(lib.id, size)), lib.short))
        .join(' · '),
    );
    lines.push(`| ${size} | ${cells.join(' | ')} |`);
  }

  // How low a key press's ratio to rjsf can go at all: the floors' times as multiples of rjsf's.
  lines.push(
    '',
    "The key-press floors as multiples of rjsf's time: one plain input alone on its page (no form reaches a lower ratio), " +
      'and the same form in plain HTML (what Chromium costs for this many form controls, before any framework); then Plugform as a multiple of each.',
    '',
  );
  lines.push(
    '| Fields | One input p50 ÷ rjsf | Plain HTML p50 ÷ rjsf | Plugform p50 ÷ one input | p95 ÷ one input | Plugform p50 ÷ plain HTML | p95 ÷ plain HTML |',
    '| ---: | --- | --- | --- | --- | --- | --- |',
  );
  for (const size of SIZES) {
    const [floor, plain, rjsf, ours] = [get('native', size), get('plain', size), get('rjsf', size), get('plugform', size)];
    const p50 = (r: Result) => median(r.keystrokes);
    const p95 = (r: Result) => percentile(r.keystrokes, 95);
    lines.push(
      `| ${size} | ${ratio(p50(floor), p50(rjsf), 'rjsf')} | ${ratio(p50(plain), p50(rjsf), 'rjsf')} ` +
        `| ${ratio(p50(ours), p50(floor), 'one input')} | ${ratio(p95(ours), p95(floor), 'one input')} ` +
        `| ${ratio(p50(ours), p50(plain), 'plain HTML')} | ${ratio(p95(ours), p95(plain), 'plain HTML')} |`,
    );
  }
  return lines.join('\n');
}

await main();
