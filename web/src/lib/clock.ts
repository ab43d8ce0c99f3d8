import { createRoot, createSignal, type Accessor } from 'solid-js';

/**
 * One shared clock for relative times ("5 min ago"): ticks every 15 s, so every label in
 * the console ages together without each one running its own timer.
 */
export const now: Accessor<number> = createRoot(() => {
  const [time, setTime] = createSignal(Date.now());
  if (typeof window !== 'undefined') window.setInterval(() => setTime(Date.now()), 15_000);
  return time;
});
