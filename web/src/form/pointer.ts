/**
 * Holds back a layout change that a blur causes until the pointer press that caused the blur
 * is over. Focus leaves a field on mouse-down; if its error line appeared right then, the
 * button under the pointer ("+ Add item", "Save" …) would move before mouse-up, and the click
 * would land on nothing. Error slots reserve one line (form.css) so a one-line message never
 * moves anything; this covers the longer ones. Keyboard users are not affected: without a
 * press in progress the change runs at once.
 */
let pressed = false;
let waiting: (() => void)[] = [];
let watching = false;

function flush() {
  const runs = waiting;
  waiting = [];
  for (const run of runs) run();
}

function release() {
  if (!pressed) return;
  pressed = false;
  // A new task: the browser dispatches `click` in the same task as `pointerup`, so the
  // button's action runs before the layout changes under it.
  setTimeout(flush, 0);
}

/** Starts following pointer presses on the document (once per page; forms call it when they mount). */
export function watchPointerPresses(): void {
  if (watching || typeof document === 'undefined') return;
  watching = true;
  document.addEventListener('pointerdown', () => (pressed = true), true);
  document.addEventListener('pointerup', release, true);
  document.addEventListener('pointercancel', release, true);
  // A release outside the window never reaches the document.
  window.addEventListener('blur', release);
}

/** Runs `change` now, or once the pointer press in progress has ended (after its click). */
export function afterPointerRelease(change: () => void): void {
  if (pressed) waiting.push(change);
  else change();
}
