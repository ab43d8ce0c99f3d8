import { createSignal, type Accessor } from 'solid-js';

/**
 * The signed-in API token, kept in sessionStorage only: it survives a reload of the tab and
 * is gone when the tab closes. Never in localStorage, a cookie or the URL.
 */
export interface Session {
  token: Accessor<string | null>;
  /** Why the user was sent back to sign in (shown there once), e.g. an expired token. */
  notice: Accessor<string | null>;
  /** True after the user signed out themselves (they go to a plain sign-in, not back to where they were). */
  signedOutByUser: Accessor<boolean>;
  signIn(token: string): void;
  /** Forgets the token. With a notice, the sign-in screen explains why (the server refused it). */
  signOut(notice?: string): void;
  clearNotice(): void;
}

export const TOKEN_KEY = 'plugform.apiToken';

export function createSession(storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | undefined): Session {
  const read = () => {
    try {
      return storage?.getItem(TOKEN_KEY) ?? null;
    } catch {
      return null; // storage disabled: the session lasts until the page is left
    }
  };
  const [token, setToken] = createSignal<string | null>(read());
  const [notice, setNotice] = createSignal<string | null>(null);
  const [byUser, setByUser] = createSignal(false);
  return {
    token,
    notice,
    signedOutByUser: byUser,
    signIn(value) {
      try {
        storage?.setItem(TOKEN_KEY, value);
      } catch {
        // kept in memory only
      }
      setNotice(null);
      setByUser(false);
      setToken(value);
    },
    signOut(message) {
      try {
        storage?.removeItem(TOKEN_KEY);
      } catch {
        // nothing stored
      }
      setNotice(message ?? null);
      setByUser(message === undefined);
      setToken(null);
    },
    clearNotice: () => setNotice(null),
  };
}

/** The console's session. */
export const session: Session = createSession(typeof sessionStorage === 'undefined' ? undefined : sessionStorage);

export const EXPIRED_NOTICE = 'Your API token was not accepted (it is unknown or has been revoked). Sign in again.';
