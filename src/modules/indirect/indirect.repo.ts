import type { Trx } from '../../platform/db/database.ts';

export async function insertIndirectInvitation(
  db: Trx,
  r: { id: string; providerId: string; tokenHash: string; userId: string | null; now: Date; expiresAt: Date },
) {
  await db
    .insertInto('indirect_invitations')
    .values({
      id: r.id,
      provider_id: r.providerId,
      token_hash: r.tokenHash,
      status: 'pending',
      created_by_user_id: r.userId,
      created_at: r.now,
      expires_at: r.expiresAt,
    })
    .execute();
}

/** Locks the invitation behind a token: two account admins accepting at once are one after the other. */
export async function lockIndirectInvitationByHash(db: Trx, tokenHash: string) {
  return db
    .selectFrom('indirect_invitations')
    .selectAll()
    .where('token_hash', '=', tokenHash)
    .forUpdate()
    .executeTakeFirst();
}

export async function markIndirectInvitationAccepted(
  db: Trx,
  r: { id: string; resellerId: string; userId: string | null; now: Date },
) {
  await db
    .updateTable('indirect_invitations')
    .set({ status: 'accepted', accepted_at: r.now, accepted_by_user_id: r.userId, reseller_id: r.resellerId })
    .where('id', '=', r.id)
    .execute();
}
