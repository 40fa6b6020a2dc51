import { randomUUID } from 'node:crypto';
import type { Db, Trx } from '../../platform/db/database.ts';
import { memoized, transactionMemo } from '../../platform/db/transaction-memo.ts';

export interface PriceRuleInput {
  offerId: string | null;
  tenantId: string | null;
  markupBp: number;
}

/** The partner's rules, most specific first then by offer and customer (a stable order to show). */
export async function priceRuleRows(db: Db | Trx, partnerId: string) {
  return db
    .selectFrom('price_rules')
    .select(['id', 'offer_id', 'tenant_id', 'markup_bp', 'updated_at'])
    .where('partner_id', '=', partnerId)
    .orderBy('offer_id', (ob) => ob.asc().nullsLast())
    .orderBy('tenant_id', (ob) => ob.asc().nullsLast())
    .execute();
}

type RuleRow = { offer_id: string | null; tenant_id: string | null; markup_bp: number };
/** A partner's rules for a customer, as a transaction read them (an order's lines ask again). */
const rulesRead = transactionMemo<RuleRow[]>();

/** A partner's rules for these customers, and those for any customer. */
function rulesOfTenants(db: Db | Trx, partnerId: string, tenantIds: string[]): Promise<RuleRow[]> {
  return db
    .selectFrom('price_rules')
    .select(['offer_id', 'tenant_id', 'markup_bp'])
    .where('partner_id', '=', partnerId)
    .where((eb) => eb.or([eb('tenant_id', 'is', null), eb('tenant_id', 'in', tenantIds)]))
    .execute();
}

/** The rules that may apply to one line: the partner's, for this offer or any, this customer or any. */
export async function applicableRules(
  db: Db | Trx,
  partnerId: string,
  offerId: string | null,
  tenantId: string,
) {
  const forTenant = await memoized(rulesRead, db, `${partnerId}|${tenantId}`, () =>
    rulesOfTenants(db, partnerId, [tenantId]),
  );
  return (forTenant ?? []).filter((r) => r.offer_id === null || r.offer_id === offerId);
}

/**
 * Reads, in one statement per partner, the rules of every partner and customer pair not read yet
 * in this transaction (`applicableRules` then finds them kept). Outside a transaction it does
 * nothing: each line reads its own.
 */
export async function readRulesOf(db: Db | Trx, pairs: { partnerId: string; tenantId: string }[]) {
  const kept = rulesRead.of(db);
  if (!kept) return;
  const tenantsOf = new Map<string, Set<string>>();
  for (const p of pairs)
    if (!kept.has(`${p.partnerId}|${p.tenantId}`)) {
      const tenants = tenantsOf.get(p.partnerId) ?? new Set<string>();
      tenants.add(p.tenantId);
      tenantsOf.set(p.partnerId, tenants);
    }
  for (const [partnerId, tenants] of tenantsOf) {
    const rows = await rulesOfTenants(db, partnerId, [...tenants]);
    for (const tenantId of tenants)
      kept.set(
        `${partnerId}|${tenantId}`,
        rows.filter((r) => r.tenant_id === null || r.tenant_id === tenantId),
      );
  }
}

/** Replaces the partner's rules with `rules` (one transaction: a reader sees the old set or the new). */
export async function replacePriceRules(db: Trx, partnerId: string, rules: PriceRuleInput[], now: Date) {
  rulesRead.forget(db);
  await db.deleteFrom('price_rules').where('partner_id', '=', partnerId).execute();
  if (rules.length === 0) return;
  await db
    .insertInto('price_rules')
    .values(
      rules.map((r) => ({
        id: randomUUID(),
        partner_id: partnerId,
        offer_id: r.offerId,
        tenant_id: r.tenantId,
        markup_bp: r.markupBp,
        created_at: now,
        updated_at: now,
      })),
    )
    .execute();
}
