/**
 * Mutation results as the console reacts to them. Every Plugform mutation returns a union of
 * its success type (with `data`) and typed errors (Pothos errors plugin); transport and
 * GraphQL errors arrive as urql's CombinedError. This folds both into four cases.
 */
import type { CombinedError } from '@urql/core';

export interface FieldErrorData {
  field: string;
  message: string;
  rule?: string;
}

export type Outcome<T> =
  | { kind: 'ok'; data: T }
  | { kind: 'invalid'; message: string; fieldErrors: FieldErrorData[] }
  | { kind: 'conflict'; message: string; currentVersion: number | null }
  | { kind: 'failed'; message: string };

/** Any member of a mutation's result union. */
export interface ResultMember<T> {
  __typename?: string;
  data?: T;
  message?: string;
  fieldErrors?: readonly FieldErrorData[];
  currentVersion?: number | null;
}

export function errorMessage(error: CombinedError | undefined): string {
  if (!error) return 'The server gave no answer. Try again.';
  const graphQLError = error.graphQLErrors[0];
  if (graphQLError) return graphQLError.message;
  if (error.networkError) return `The server could not be reached (${error.networkError.message}). Check your connection and try again.`;
  return error.message;
}

export function outcomeOf<T>(member: ResultMember<T> | null | undefined, error?: CombinedError): Outcome<T> {
  if (!member || error) return { kind: 'failed', message: errorMessage(error) };
  if (member.data !== undefined) return { kind: 'ok', data: member.data };
  const message = member.message ?? 'The request was refused.';
  if (member.__typename === 'ValidationError') return { kind: 'invalid', message, fieldErrors: [...(member.fieldErrors ?? [])] };
  if (member.__typename === 'ConflictError') return { kind: 'conflict', message, currentVersion: member.currentVersion ?? null };
  return { kind: 'failed', message };
}
