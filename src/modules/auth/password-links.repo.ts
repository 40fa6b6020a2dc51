import type { Db, Trx } from '../../platform/db/database.ts';

/** The only file that names `password_links`. */
export async function insertPasswordLink(
  db: Trx,
  link: {
    id: string;
    tokenHash: string;
    userId: string;
    purpose: 'reset' | 'set';
    now: Date;
    expiresAt: Date;
  },
): Promise<void> {
  await db
    .insertInto('password_links')
    .values({
      id: link.id,
      token_hash: link.tokenHash,
      user_id: link.userId,
      purpose: link.purpose,
      created_at: link.now,
      expires_at: link.expiresAt,
    })
    .execute();
}

/** The link behind a token hash, locked: two uses of one link at once, and only one sets the password. */
export async function lockPasswordLink(db: Trx, tokenHash: string) {
  return db
    .selectFrom('password_links')
    .selectAll()
    .where('token_hash', '=', tokenHash)
    .forUpdate()
    .executeTakeFirst();
}

/** Spends every open link of a user: a new password makes older links useless. */
export async function spendPasswordLinks(db: Db | Trx, userId: string, now: Date): Promise<void> {
  await db
    .updateTable('password_links')
    .set({ used_at: now })
    .where('user_id', '=', userId)
    .where('used_at', 'is', null)
    .execute();
}
