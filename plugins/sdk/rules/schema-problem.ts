/**
 * One problem of a plugin's schema: what every registration check returns. In a module of its
 * own, so the field checks and the condition checks (which the validator also imports) share
 * it without importing each other.
 */
export interface SchemaProblem {
  /** The field key the problem is about, or `''` for the plugin itself. */
  field: string;
  message: string;
}
