/** Shapes the form renderer exchanges with the screens around it. */

/** Configuration values keyed by field key, typed as the validator expects them. */
export type FormValues = Record<string, unknown>;

/** What the API says about one stored secret: never its value, only whether it is set. */
export interface SecretStatus {
  isSet: boolean;
  /** ISO timestamp of the last change. */
  updatedAt?: string | null;
}
export type SecretState = Readonly<Record<string, SecretStatus>>;

/**
 * The user's intent for one secret field:
 * `keep` the stored value (the default for a set secret), `clear` it, or enter a new value.
 */
export type SecretDraft = { kind: 'keep' } | { kind: 'clear' } | { kind: 'enter'; value: string };

/**
 * What a submit hands over. `values` holds the non-secret configuration (blank optional
 * fields are left out); `secrets` holds ONLY the secrets the user changed: a string to set
 * or replace, `null` to clear. A secret that is absent from `secrets` keeps its stored value.
 */
export interface ConfigPayload {
  values: FormValues;
  secrets: Record<string, string | null>;
}

/** A field error the server returned after a submit (the `rule` is not needed to show it). */
export interface ServerFieldError {
  field: string;
  message: string;
}
