import { createSignal, onCleanup } from 'solid-js';

/** A form of this many fields or fewer is always complete in its first frame. */
export const FIRST_SCREEN_MIN_FIELDS = 20;
/** The height of one row of fields (label, input, hint, error slot, gap), about. */
const FIELD_ROW_PX = 96;

/**
 * How many fields the form mounts at once: enough to fill the window (fields sit two by two
 * from 900 px wide, form.css), and never fewer than FIRST_SCREEN_MIN_FIELDS.
 */
export function firstScreenFields(): number {
  if (typeof window === 'undefined') return FIRST_SCREEN_MIN_FIELDS;
  const columns = window.innerWidth >= 900 ? 2 : 1;
  return Math.max(FIRST_SCREEN_MIN_FIELDS, Math.ceil(window.innerHeight / FIELD_ROW_PX) * columns);
}
/** Fields mounted per task after that: a short task each, so typing is never held up long. */
export const CHUNK_FIELDS = 60;

export interface ProgressiveMount {
  /** How many sections (from the first) have their fields in the DOM. */
  mounted(): number;
  /** Mounts every section now (before focusing a field, submitting, or searching the form). */
  mountAll(): void;
}

/**
 * Mounts a long form's sections progressively: the first screen in the first frame, then
 * the rest in short tasks after each paint, in display order, until every field is in the
 * DOM (a 1,000-field form is complete a few frames later). Nothing is virtualised away: once
 * complete, the whole form is there for find-in-page, the tab order and screen readers. Until
 * then a section not yet mounted shows its legend and keeps its estimated height.
 */
export function createProgressiveMount(sizes: () => readonly number[]): ProgressiveMount {
  const countFor = (start: number, budget: number) => {
    const list = sizes();
    let end = start;
    let fields = 0;
    while (end < list.length && (end === start || fields + (list[end] ?? 0) <= budget)) fields += list[end++] ?? 0;
    return end;
  };
  const [mounted, setMounted] = createSignal(countFor(0, firstScreenFields()));
  let timer: ReturnType<typeof setTimeout> | undefined;
  let frame: number | undefined;
  let disposed = false;

  const afterPaint = (run: () => void) => {
    // A frame first, then a task: the chunk lands after the browser has painted what is there.
    if (typeof requestAnimationFrame === 'function') frame = requestAnimationFrame(() => (timer = setTimeout(run, 0)));
    else timer = setTimeout(run, 0);
  };
  const step = () => {
    if (disposed) return;
    const next = countFor(mounted(), CHUNK_FIELDS);
    setMounted(next);
    if (next < sizes().length) afterPaint(step);
  };
  if (mounted() < sizes().length) afterPaint(step);

  onCleanup(() => {
    disposed = true;
    if (timer !== undefined) clearTimeout(timer);
    if (frame !== undefined && typeof cancelAnimationFrame === 'function') cancelAnimationFrame(frame);
  });
  return {
    mounted,
    mountAll: () => setMounted(Math.max(mounted(), sizes().length)),
  };
}
