/**
 * The little of react-dom the benchmark pages use, typed by hand: the repo has React's types
 * (through @types/react) but not react-dom's, and this is not worth a new dependency.
 */
declare module 'react-dom' {
  export function flushSync<R>(fn: () => R): R;
}

declare module 'react-dom/client' {
  import type { ReactNode } from 'react';
  export interface Root {
    render(children: ReactNode): void;
    unmount(): void;
  }
  export function createRoot(container: Element): Root;
}
