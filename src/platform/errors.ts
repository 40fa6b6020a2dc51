/**
 * Typed errors. Use cases throw `DomainError(code, params)`; the HTTP layer maps the code to a
 * status and a description through the one table in `http/error-table.ts`. Never throw a bare
 * `Error` across a module boundary.
 */
export class DomainError extends Error {
  constructor(
    readonly code: string,
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
