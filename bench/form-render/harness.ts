/**
 * The in-page half of the benchmark, shared by the pages. Each page hands
 * `installBench` an adapter (mount / unmount / find the input); the Node runner drives it
 * through `window.bench`, so every library is timed by exactly the same code.
 *
 * "Paint" is taken as: a requestAnimationFrame callback (runs right before the frame's
 * style, layout and paint), then a setTimeout(0) queued from it, which runs once that frame
 * has been produced. This is the usual next-paint approximation; unlike the Event Timing
 * API it is not rounded to 8 ms, and it works for a mount as well as for a key press.
 */
import { benchForm, type BenchForm } from './schema.ts';

export interface FormAdapter {
  /**
   * Renders `form` into `container` and returns once the DOM is committed (React pages use
   * flushSync, since createRoot().render() alone would commit in a later task).
   */
  mount(container: HTMLElement, form: BenchForm): void;
  unmount(): void;
  /** The text input of field `key`, once mounted. */
  input(container: HTMLElement, key: string): HTMLInputElement | null;
  /** Whether field `key` shows a validation error now. */
  errorShown(container: HTMLElement, key: string): boolean;
  /**
   * Whether every field is in the DOM. A library that mounts the first screen first and the
   * rest in later frames (Plugform's progressive mount) says when it is done; the others are
   * complete at their first render.
   */
  complete?(container: HTMLElement): boolean;
  /**
   * Runs once the form is complete and checked for late changes, before anything is timed on
   * it: a diagnostic variant of a page takes a part of it away here.
   */
  prepare?(container: HTMLElement, form: BenchForm): void;
}

export interface MountSample {
  /** mount() call → the first frame after it. */
  firstRender: number;
  /** How long the synchronous mount() call itself took (script, no layout or paint). */
  script: number;
  /** mount() call → the first frame in which every field is in the DOM (= firstRender when mounted at once). */
  complete: number;
  /** DOM mutations seen in the two frames after the complete form's paint (0 = nothing arrived late). */
  lateMutations: number;
  elements: number;
}

export interface BenchApi {
  sizes(): number[];
  mount(size: number): Promise<MountSample>;
  unmount(): void;
  /**
   * Focuses field `key`'s input (default: the keystroke target, a plain string in the
   * middle group), caret at the end, and times every key press on it from now on.
   * Returns the input's value.
   */
  focus(key?: string): Promise<string>;
  /** Resolves with the latency of the `index`th key press since focus() (0-based). */
  keystroke(index: number): Promise<number>;
  /** Stops timing key presses; returns the focused input's value. */
  release(): string;
  errorShown(key: string): Promise<boolean>;
}

declare global {
  interface Window {
    bench: BenchApi;
    gc?: () => void;
  }
}

export const SIZES = [50, 200, 1000, 5000];

/** Resolves after the next frame has been produced (see the header). */
export function afterNextPaint(): Promise<number> {
  return new Promise((resolve) => requestAnimationFrame(() => setTimeout(() => resolve(performance.now()), 0)));
}

function countMutations(target: Node, frames: number): Promise<number> {
  let count = 0;
  const observer = new MutationObserver((records) => (count += records.length));
  observer.observe(target, { subtree: true, childList: true, attributes: true, characterData: true });
  const wait = async () => {
    for (let i = 0; i < frames; i++) await afterNextPaint();
    observer.disconnect();
    return count + observer.takeRecords().length;
  };
  return wait();
}

export function installBench(adapter: FormAdapter): void {
  const container = document.getElementById('root')!;
  // Built before anything is timed: generating the schema is not what is measured.
  const prepared = new Map(SIZES.map((size) => [size, benchForm(size)]));
  let mounted: BenchForm | undefined;
  let target: HTMLInputElement | undefined;
  const results: number[] = [];
  let waiters: (() => void)[] = [];

  // Capture phase on the window: runs before any handler the library put on the input.
  window.addEventListener(
    'keydown',
    (event) => {
      if (!target || event.target !== target) return;
      // The event's own timestamp: when the browser received the key, so time spent
      // waiting for a busy main thread counts too.
      const start = event.timeStamp;
      requestAnimationFrame(() =>
        setTimeout(() => {
          results.push(performance.now() - start);
          const woken = waiters;
          waiters = [];
          for (const wake of woken) wake();
        }, 0),
      );
    },
    { capture: true },
  );

  window.bench = {
    sizes: () => SIZES,

    async mount(size) {
      if (mounted) throw new Error('unmount first');
      const base = prepared.get(size);
      if (!base) throw new Error(`no prepared form of ${size} fields`);
      // A fresh copy each time, as a schema fetched from the API would be: libraries that
      // compile the JSON Schema (both Ajv-based ones) cannot reuse a cached compile.
      const form = structuredClone(base);
      window.gc?.();
      await afterNextPaint(); // start from an idle main thread

      const start = performance.now();
      adapter.mount(container, form);
      const scriptEnd = performance.now();
      const painted = await afterNextPaint();
      mounted = form;
      let completed = painted;
      for (let frames = 0; adapter.complete && !adapter.complete(container); frames++) {
        if (frames > 1000) throw new Error('the form never finished mounting');
        completed = await afterNextPaint();
      }

      if (!adapter.input(container, form.targetKey)) throw new Error(`no input for ${form.targetKey} after mount`);
      const lateMutations = await countMutations(container, 2);
      adapter.prepare?.(container, form);
      return {
        firstRender: painted - start,
        script: scriptEnd - start,
        complete: completed - start,
        lateMutations,
        elements: container.getElementsByTagName('*').length,
      };
    },

    unmount() {
      adapter.unmount();
      container.replaceChildren();
      mounted = undefined;
      target = undefined;
    },

    async focus(key) {
      if (!mounted) throw new Error('mount first');
      key ??= mounted.targetKey;
      const input = adapter.input(container, key);
      if (!input) throw new Error(`no input for ${key}`);
      input.scrollIntoView({ block: 'center' });
      input.focus();
      // Caret at the end, so typed text appends to the value.
      input.setSelectionRange(input.value.length, input.value.length);
      await afterNextPaint();
      target = input;
      results.length = 0;
      return input.value;
    },

    keystroke(index) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`key press ${index} never reached the target input`)), 10_000);
        const check = () => {
          const ms = results[index];
          if (ms === undefined) return void waiters.push(check);
          clearTimeout(timer);
          resolve(ms);
        };
        check();
      });
    },

    release() {
      const value = target?.value ?? '';
      target = undefined;
      return value;
    },

    async errorShown(key) {
      await afterNextPaint();
      return adapter.errorShown(container, key);
    },
  };
}
