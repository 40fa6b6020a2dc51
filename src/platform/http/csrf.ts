import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * CSRF protection for the console's cookie session. A browser attaches the session cookie to any
 * request to us, a forged cross-site form post included; what another site cannot do is read our
 * answers or set a custom header. So a cookie-authenticated request that changes something must
 * carry `x-csrf-token`, the value the login answer and `GET /api/auth/me` hand to the page.
 *
 * The token is an HMAC-SHA256 of the session id under a key derived from the install's signing
 * secret: nothing to store, the same for the whole session (a reload recomputes it from /me), useless
 * for any other session, and it dies with the session. Bearer-token calls are not affected: a
 * browser never adds an Authorization header by itself. (docs/security.md says why this is not
 * @fastify/csrf-protection.)
 */
export const CSRF_HEADER = 'x-csrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function isSafeMethod(method: string): boolean {
  return SAFE_METHODS.has(method);
}

export interface CsrfTokens {
  tokenFor(sessionId: string): string;
  /** True when `given` is this session's token (constant-time comparison). */
  verify(sessionId: string, given: unknown): boolean;
}

export function csrfTokens(signingSecret: string): CsrfTokens {
  // A key of its own, so a CSRF token can never pass for an invitation signature or the reverse.
  const key = createHmac('sha256', signingSecret).update('traslado.csrf.v1').digest();
  const tokenFor = (sessionId: string) => createHmac('sha256', key).update(sessionId).digest('base64url');
  return {
    tokenFor,
    verify(sessionId, given) {
      if (typeof given !== 'string' || given.length > 200) return false;
      const expected = Buffer.from(tokenFor(sessionId));
      const actual = Buffer.from(given);
      return actual.length === expected.length && timingSafeEqual(actual, expected);
    },
  };
}
