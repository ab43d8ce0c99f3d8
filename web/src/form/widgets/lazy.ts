/**
 * Lazy widgets: a Kobalte widget costs far more to mount than the plain markup it renders
 * (about 60 % of a long form's mount went into its selects and switches), and most of a
 * form's widgets are never touched. So a widget first renders a stand-in: the same elements,
 * attributes, role, name, value and ids the Kobalte widget renders, without its state
 * machinery. The first sign that the user is about to use it (the pointer entering it, focus,
 * a key or a press) upgrades it: the Kobalte parts take over the stand-in's elements
 * (`adopt`), so the element under the pointer or holding focus stays the same one, and the
 * event that caused the upgrade reaches the Kobalte widget as if it had always been there.
 */
import { children, createSignal, onCleanup, splitProps, type Accessor, type JSX } from 'solid-js';
import { insert, spread } from 'solid-js/web';

/**
 * Events that come before any use of a widget: a mouse enters it before pressing, Tab
 * focuses it before keys, and a touch or a test's synthetic press starts with pointerdown.
 */
const INTENT_EVENTS = ['pointerenter', 'pointerdown', 'focus', 'keydown'] as const;

export interface Upgrade {
  /** Whether the full widget has replaced the stand-in. */
  upgraded: Accessor<boolean>;
  /** Upgrades now (the stand-in handled an event itself, e.g. a label's click on a switch). */
  upgrade(): void;
  /** Upgrades on the first intent event on `element` (a stand-in's element). */
  watch(element: HTMLElement): void;
}

export function createUpgrade(): Upgrade {
  const [upgraded, setUpgraded] = createSignal(false);
  const watched: HTMLElement[] = [];
  const stopWatching = () => {
    for (const element of watched) for (const type of INTENT_EVENTS) element.removeEventListener(type, onIntent);
    watched.length = 0;
  };
  // Runs before the event reaches Solid's delegated handlers (on the document), which by then
  // are the Kobalte part's: pointerdown, keydown and click need no help.
  function onIntent(this: HTMLElement, event: Event) {
    upgrade();
    // A non-bubbling focus event only reaches listeners that were on the element when it
    // was dispatched; the Kobalte part's focus handler was added just now, so it gets its own.
    if (event.type === 'focus') this.dispatchEvent(new FocusEvent('focus'));
  }
  const upgrade = () => {
    stopWatching();
    setUpgraded(true);
  };
  onCleanup(stopWatching);
  return {
    upgraded,
    upgrade,
    watch(element) {
      watched.push(element);
      for (const type of INTENT_EVENTS) element.addEventListener(type, onIntent);
    },
  };
}

/** A Kobalte part's `as` that takes over an element (`adopt`). */
export type Adopted = (props: Record<string, unknown> & { children?: JSX.Element }) => JSX.Element;

/**
 * For a Kobalte part's `as`: instead of creating its element, the part takes over `element`,
 * the stand-in's (its attributes, handlers and ref are applied to it). With `content: 'keep'`
 * the element's children stay as they are (parts that adopt their own elements, or fixed
 * text); `'replace'` renders the part's own children into it (a value that changes).
 */
export function adopt(element: HTMLElement, content: 'keep' | 'replace' = 'keep'): Adopted {
  return (props) => {
    const [local, others] = splitProps(props, ['children']);
    if (content === 'replace') {
      element.textContent = '';
      insert(element, () => local.children);
    } else {
      // Still created (the nested parts register with their widget), just not inserted again.
      children(() => local.children);
    }
    spread(element, others, false, true);
    return element;
  };
}
