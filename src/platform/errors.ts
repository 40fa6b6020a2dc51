import type { ErrorCode } from './http/error-table.ts';

export type { ErrorCode };

/**
 * Typed errors. Use cases throw `DomainError(code, params)`; the HTTP layer maps the code to a
 * status and a description in the request's language through the one table in
 * `http/error-table.ts`, composed from each module's `<noun>.errors.ts`. The code is the union of
 * every code in that table, so a misspelt or undeclared code does not compile. Never throw a bare
 * `Error` across a module boundary.
 */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly params: Record<string, unknown> = {},
    description?: string,
  ) {
    super(description ?? code);
    this.name = 'DomainError';
  }
}

export function isDomainError(err: unknown): err is DomainError {
  return err instanceof DomainError;
}

/** One description: fixed text, or text made from the error's params. */
export type ErrorText = string | ((p: Record<string, unknown>) => string);

/** One code's entry: its HTTP status and its description in English and Spanish (human text). */
export interface ErrorSpec {
  status: number;
  en: ErrorText;
  es: ErrorText;
}

/** A module's codes (`<noun>.errors.ts`), declared as `{ … } satisfies ErrorSpecs`. */
export type ErrorSpecs = Record<string, ErrorSpec>;
