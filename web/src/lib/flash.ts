import { createSignal } from 'solid-js';

/**
 * A one-line confirmation that survives a navigation ("Instance saved" shown on the page the
 * save led to). The shell shows it; it goes away by itself or when dismissed.
 */
export interface FlashMessage {
  id: number;
  text: string;
  tone: 'success' | 'info';
}

const [current, setCurrent] = createSignal<FlashMessage | null>(null);
let counter = 0;
let timer: ReturnType<typeof setTimeout> | undefined;

export const flash = current;

export function showFlash(text: string, tone: FlashMessage['tone'] = 'success', ms = 6000): void {
  clearTimeout(timer);
  const message = { id: ++counter, text, tone };
  setCurrent(message);
  timer = setTimeout(() => setCurrent((now) => (now?.id === message.id ? null : now)), ms);
}

export function dismissFlash(): void {
  clearTimeout(timer);
  setCurrent(null);
}
