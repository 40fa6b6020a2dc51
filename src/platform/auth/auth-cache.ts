import type { DatabaseHandle } from '../db/connect.ts';
import type { Actor } from '../http/context.ts';

/** Bounds on what is kept; past them the map starts over (a miss costs one statement). */
const MAX_TOKENS = 10_000;
const MAX_SCOPES = 50_000;

export interface CachedToken {
  actor: Actor;
  expiresAt: number;
  lastUsedAt: number | null;
}

/**
 * Signed-in tokens (by their hash) and partner-sees-tenant answers, kept in memory for reads, so a
 * read by a known token costs no sign-in statement. Dropped whole whenever the database announces a
 * change that can alter them (a session or token revoked, a user disabled, a role, a relationship,
 * the platform clock: migration 0027's triggers on `traslado_auth`), from whichever process wrote it.
 *
 * Every pooled PostgreSQL connection LISTENs from its start (connect.ts; PGlite's one session too). PostgreSQL signals the
 * listeners of a change before the writer's COMMIT returns, and a signalled idle session sends the
 * notice before it answers its next statement; so a request that started after the change committed
 * receives the notice on its own connection before its first statement's answer. `generation` counts
 * the notices (and new connections, which may have missed one): a request served from the cache
 * notes it, and the server checks it again before answering (server.ts), signing in afresh if it moved.
 */
export class AuthCache {
  generation = 0;
  readonly #tokens = new Map<string, CachedToken>();
  readonly #scopes = new Map<string, boolean>();
  #enabled = false;
  #stop: (() => Promise<void>) | undefined;

  /** False until the notices are wired (and on a handle that cannot listen): nothing is kept. */
  get enabled() {
    return this.#enabled;
  }

  invalidate(): void {
    this.generation++;
    this.#tokens.clear();
    this.#scopes.clear();
  }

  token(hash: string): CachedToken | undefined {
    return this.#enabled ? this.#tokens.get(hash) : undefined;
  }

  /** Keeps a token read at `generation` (not if a notice came since: it may predate the change). */
  keepToken(hash: string, entry: CachedToken, generation: number): void {
    if (!this.#enabled || generation !== this.generation) return;
    if (this.#tokens.size >= MAX_TOKENS) this.#tokens.clear();
    this.#tokens.set(hash, entry);
  }

  scope(partnerId: string, tenantId: string): boolean | undefined {
    return this.#enabled ? this.#scopes.get(`${partnerId}\u0000${tenantId}`) : undefined;
  }

  keepScope(partnerId: string, tenantId: string, sees: boolean, generation: number): void {
    if (!this.#enabled || generation !== this.generation) return;
    if (this.#scopes.size >= MAX_SCOPES) this.#scopes.clear();
    this.#scopes.set(`${partnerId}\u0000${tenantId}`, sees);
  }

  /** Wires the notices of `handle`'s database; until then nothing is kept. */
  async watch(handle: DatabaseHandle): Promise<void> {
    // A new connection may have started listening after a change was announced: drop everything.
    this.#stop = await handle.onAuthNotice(() => this.invalidate());
    this.#enabled = true;
  }

  async close(): Promise<void> {
    this.#enabled = false;
    this.invalidate();
    await this.#stop?.().catch(() => {});
  }
}
