import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { regionOf } from '../domain/regions.ts';
import { recordAudit } from '../modules/audit/audit.service.ts';
import { readReferenceFile, seedDemoCatalog } from '../modules/catalog/catalog.service.ts';
import { createUser } from '../modules/users/users.service.ts';
import { fixedClock, PlatformClock } from '../platform/clock.ts';
import { type Config, loadConfig } from '../platform/config.ts';
import { openContext } from '../platform/context.ts';
import type { Db, Trx } from '../platform/db/database.ts';
import { systemActor } from '../platform/http/context.ts';
import { createLogger } from '../platform/log.ts';
import { REFERENCE_CSV } from './demo.ts';

/**
 * A synthetic book of customers for one "scale" partner, written straight into the database in
 * large set-based statements (users and licenses are expanded in SQL with generate_series), so a
 * book of 10,000 customers / ~100,000 subscriptions / ~1,000,000 users takes minutes, not hours.
 *
 * Per customer: 5–500 directory users (about 100 on average), 1–40 subscriptions (about 10) from
 * every channel (direct, another partner, volume licensing, trial) on the demo catalog's offers —
 * same-offer cases, end-of-sale offers with a successor (Office 365 E1) and, for some customers, a
 * cross-offer case (Project Online, which nothing orderable covers) — licenses assigned within each
 * SKU's pool, an accepted relationship with the scale partner and, for most, delegated admin.
 * Everything is derived from `seed`: the same seed gives the same ids, names, dates and counts.
 */
export interface SeedScaleOptions {
  customers: number;
  /** Default 1. The same seed gives the same book (ids included); another seed gives another partner. */
  seed?: number;
  /** Called after each batch of customers is committed. */
  onProgress?: (done: number, total: number) => void;
  /** Customers per transaction (default 500). */
  batchSize?: number;
  /** Lifecycle and hashing settings; default: from the environment. */
  config?: Config;
}

export interface SeedScaleResult {
  partnerId: string;
  /** The scale partner's account admin (password `SCALE_PASSWORD`). */
  adminEmail: string;
  tenants: number;
  subscriptions: number;
  users: number;
  assignments: number;
  /** False when the book of this seed was already there (nothing was written). */
  created: boolean;
}

export const SCALE_PASSWORD = 'traslado-scale';
const DAY_MS = 86_400_000;

/** Offers a source subscription is drawn from, with weights: same-offer cases and E1 (successor). */
const SOURCE_OFFERS: [id: string, weight: number][] = [
  ['demo-m365-business-basic', 20],
  ['demo-m365-business-standard', 20],
  ['demo-m365-business-standard-monthly', 5],
  ['demo-m365-business-premium', 12],
  ['demo-o365-e3', 6],
  ['demo-m365-e3', 5],
  ['demo-exchange-online-plan-1', 8],
  ['demo-m365-apps-for-business', 6],
  ['demo-o365-e3-eea-no-teams', 3],
  ['demo-m365-e3-eea-no-teams', 2],
  // End of sale with a successor (E1 EEA no Teams + Teams EEA): licenses move to other SKUs.
  ['demo-o365-e1', 13],
];
/** End of sale without a successor, covered by nothing orderable: the cross-offer search blocks it. */
const CROSS_OFFER = 'demo-project-online-premium';
const TRIAL_OFFERS = [
  'demo-m365-business-premium',
  'demo-m365-business-basic',
  'demo-m365-apps-for-business',
];
const CHANNELS: [channel: 'direct' | 'partner' | 'volume' | 'trial', weight: number][] = [
  ['direct', 45],
  ['partner', 25],
  ['volume', 18],
  ['trial', 12],
];
const WORDS_A = [
  'Alba',
  'Brisa',
  'Cumbre',
  'Delta',
  'Estrella',
  'Faro',
  'Granito',
  'Horizonte',
  'Iris',
  'Jade',
];
const WORDS_B = ['Logística', 'Consultores', 'Textil', 'Energía', 'Salud', 'Foods', 'Ingeniería', 'Retail'];

/** A UUID-shaped id derived from the seed (md5, as the SQL side derives user ids). */
export function scaleId(seed: number, kind: string, n: number | string): string {
  const h = createHash('md5').update(`scale:${seed}:${kind}:${n}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** mulberry32: a small, fast, seedable generator; one per customer so batches are independent. */
function rng(seed: number, n: number) {
  let a = (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(n + 1, 0xc2b2ae35)) >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function pick<T>(r: () => number, items: [T, number][]): T {
  const total = items.reduce((s, [, w]) => s + w, 0);
  let x = r() * total;
  for (const [item, w] of items) {
    x -= w;
    if (x < 0) return item;
  }
  return items[items.length - 1]![0];
}

interface OfferInfo {
  skuId: string;
  unitPrice: number;
  currency: string;
  refundWindowHours: number;
}

interface Batch {
  tenants: { id: string[]; name: string[]; domain: string[]; users: number[] };
  dap: string[];
  subs: {
    id: string[];
    tenant: string[];
    offer: string[];
    sku: string[];
    quantity: number[];
    channel: string[];
    partner: (string | null)[];
    via: (string | null)[];
    cycle: string[];
    term: string[];
    start: string[];
    end: string[];
    autoRenew: boolean[];
    price: number[];
    currency: string[];
    refundHours: number[];
  };
  pools: { tenant: string[]; sku: string[]; start: number[]; count: number[]; users: number[] };
}

/** The customers [from, to) of a seed's book, computed in memory (a few thousand rows at most). */
function generateBatch(
  seed: number,
  from: number,
  to: number,
  now: Date,
  offers: Map<string, OfferInfo>,
  otherPartners: string[],
): Batch {
  const b: Batch = {
    tenants: { id: [], name: [], domain: [], users: [] },
    dap: [],
    subs: {
      id: [],
      tenant: [],
      offer: [],
      sku: [],
      quantity: [],
      channel: [],
      partner: [],
      via: [],
      cycle: [],
      term: [],
      start: [],
      end: [],
      autoRenew: [],
      price: [],
      currency: [],
      refundHours: [],
    },
    pools: { tenant: [], sku: [], start: [], count: [], users: [] },
  };
  const day = (d: number) => new Date(now.getTime() + d * DAY_MS).toISOString();
  for (let i = from; i < to; i++) {
    const r = rng(seed, i);
    const tenantId = scaleId(seed, 'tenant', i);
    const n = i + 1;
    // Skewed like a real book: many small customers, a few large ones (averages ~100 users, ~10 subscriptions).
    const users = 5 + Math.floor(495 * r() ** 4.2);
    const subCount = 1 + Math.floor(39.999 * r() ** 3.33);
    b.tenants.id.push(tenantId);
    b.tenants.name.push(
      `${WORDS_A[i % WORDS_A.length]} ${WORDS_B[Math.floor(i / WORDS_A.length) % WORDS_B.length]} ${n}`,
    );
    b.tenants.domain.push(`c${n}.s${seed}.scale.test`);
    b.tenants.users.push(users);
    if (r() < 0.85) b.dap.push(tenantId);
    const hasCrossOffer = r() < 0.07;
    const pools = new Map<string, number>();
    for (let k = 0; k < subCount; k++) {
      const channel = pick(r, CHANNELS);
      const isTrial = channel === 'trial';
      const offerId =
        hasCrossOffer && k === 0
          ? CROSS_OFFER
          : isTrial
            ? TRIAL_OFFERS[Math.floor(r() * TRIAL_OFFERS.length)]!
            : pick(r, SOURCE_OFFERS);
      const offer = offers.get(offerId)!;
      const monthly = isTrial || offerId.endsWith('-monthly');
      const quantity = Math.min(300, Math.max(1, Math.round(users * (0.05 + 0.4 * r()))));
      // Annual terms started up to ~a year ago (a few already expired, in their grace period);
      // monthly ones within the last month; trials are 30 days and never renew.
      const started = monthly ? Math.floor(r() * 29) + 1 : Math.floor(r() * 375) + 1;
      const length = monthly ? 30 : 365;
      b.subs.id.push(scaleId(seed, `sub:${i}`, k));
      b.subs.tenant.push(tenantId);
      b.subs.offer.push(offerId);
      b.subs.sku.push(offer.skuId);
      b.subs.quantity.push(quantity);
      b.subs.channel.push(channel);
      b.subs.partner.push(
        channel === 'partner' ? otherPartners[Math.floor(r() * otherPartners.length)]! : null,
      );
      b.subs.via.push(
        channel === 'direct' ? 'admin-center' : channel === 'volume' ? 'enterprise-agreement' : null,
      );
      b.subs.cycle.push(monthly ? 'monthly' : 'annual');
      b.subs.term.push(monthly ? 'P1M' : 'P1Y');
      b.subs.start.push(day(-started));
      b.subs.end.push(day(length - started));
      b.subs.autoRenew.push(channel === 'direct' || channel === 'partner' ? r() < 0.9 : false);
      b.subs.price.push(isTrial ? 0 : offer.unitPrice);
      b.subs.currency.push(offer.currency);
      b.subs.refundHours.push(offer.refundWindowHours);
      pools.set(offer.skuId, (pools.get(offer.skuId) ?? 0) + quantity);
    }
    // Licenses within each SKU's pool (70–100% of its seats, at most one per user and 300 per SKU),
    // a contiguous run of users from a random start so SKUs overlap on some users, as in life.
    for (const [skuId, pool] of pools) {
      const count = Math.min(users, 300, Math.max(1, Math.floor(pool * (0.7 + 0.3 * r()))));
      b.pools.tenant.push(tenantId);
      b.pools.sku.push(skuId);
      b.pools.start.push(Math.floor(r() * users));
      b.pools.count.push(count);
      b.pools.users.push(users);
    }
  }
  return b;
}

/**
 * The id of a tenant's n-th directory user (1-based), as the SQL below computes it: UUID-shaped, the
 * tenant's id with the user's number as the last group, so one tenant's users (and their licenses)
 * sit together in the indexes and the bulk inserts stay fast.
 */
export function scaleUserId(tenantId: string, n: number): string {
  return `${tenantId.slice(0, 24)}${n.toString(16).padStart(12, '0')}`;
}

async function insertBatch(trx: Trx, seed: number, partnerId: string, b: Batch, now: Date) {
  const at = now.toISOString();
  const region = regionOf('ES')!;
  await sql`
    insert into tenants (id, company_name, default_domain, country, region, created_at)
    select t.id, t.name, t.domain, 'ES', ${region}, ${at}::timestamptz
    from unnest(${b.tenants.id}::text[], ${b.tenants.name}::text[], ${b.tenants.domain}::text[]) as t(id, name, domain)
  `.execute(trx);
  await sql`
    insert into relationships (id, partner_id, tenant_id, status, accepted_at, created_at)
    select md5(${`scale:${seed}:rel:`} || t.id)::uuid::text, ${partnerId}, t.id, 'accepted', ${at}::timestamptz, ${at}::timestamptz
    from unnest(${b.tenants.id}::text[]) as t(id)
  `.execute(trx);
  if (b.dap.length > 0)
    await sql`
      insert into delegated_admin_grants (id, partner_id, tenant_id, kind, roles, status, requested_at, approved_at, created_at)
      select md5(${`scale:${seed}:dap:`} || t.id)::uuid::text, ${partnerId}, t.id, 'dap', '{}', 'active',
             ${at}::timestamptz, ${at}::timestamptz, ${at}::timestamptz
      from unnest(${b.dap}::text[]) as t(id)
    `.execute(trx);
  // Every user of every tenant of the batch in one statement, expanded in SQL.
  await sql`
    insert into directory_users (id, tenant_id, user_principal_name, display_name, created_at)
    select left(t.id, 24) || lpad(to_hex(g), 12, '0'), t.id, 'user' || lpad(g::text, 3, '0') || '@' || t.domain,
           'User ' || g, ${at}::timestamptz
    from unnest(${b.tenants.id}::text[], ${b.tenants.domain}::text[], ${b.tenants.users}::int[]) as t(id, domain, n)
    cross join lateral generate_series(1, t.n) as g
  `.execute(trx);
  const s = b.subs;
  await sql`
    insert into subscriptions (id, tenant_id, offer_id, sku_id, quantity, channel, partner_id, purchased_via,
      billing_cycle, term, term_start, term_end, auto_renew, unit_price, currency, refund_window_hours,
      purchased_at, created_at, updated_at)
    select x.id, x.tenant, x.offer, x.sku, x.quantity, x.channel, x.partner, x.via, x.cycle, x.term,
           x.start, x.end_at, x.auto_renew, x.price, x.currency, x.refund_hours, x.start, ${at}::timestamptz, ${at}::timestamptz
    from unnest(${s.id}::text[], ${s.tenant}::text[], ${s.offer}::text[], ${s.sku}::text[], ${s.quantity}::int[],
                ${s.channel}::text[], ${s.partner}::text[], ${s.via}::text[], ${s.cycle}::text[], ${s.term}::text[],
                ${s.start}::timestamptz[], ${s.end}::timestamptz[], ${s.autoRenew}::boolean[], ${s.price}::bigint[],
                ${s.currency}::text[], ${s.refundHours}::int[])
      as x(id, tenant, offer, sku, quantity, channel, partner, via, cycle, term, start, end_at, auto_renew, price,
           currency, refund_hours)
  `.execute(trx);
  const p = b.pools;
  await sql`
    insert into license_assignments (tenant_id, directory_user_id, sku_id, excluded_plans, assigned_at)
    select r.tenant, left(r.tenant, 24) || lpad(to_hex(((r.start + g) % r.users) + 1), 12, '0'), r.sku, '{}', ${at}::timestamptz
    from unnest(${p.tenant}::text[], ${p.sku}::text[], ${p.start}::int[], ${p.count}::int[], ${p.users}::int[])
      as r(tenant, sku, start, cnt, users)
    cross join lateral generate_series(0, r.cnt - 1) as g
  `.execute(trx);
  return {
    subscriptions: s.id.length,
    users: b.tenants.users.reduce((a, x) => a + x, 0),
    assignments: p.count.reduce((a, x) => a + x, 0),
  };
}

async function countBook(db: Db, partnerId: string) {
  const r = await sql<{ tenants: number; subscriptions: number; users: number; assignments: number }>`
    select
      (select count(*)::int from relationships where partner_id = ${partnerId}) as tenants,
      (select count(*)::int from subscriptions s join relationships r on r.tenant_id = s.tenant_id and r.partner_id = ${partnerId}) as subscriptions,
      (select count(*)::int from directory_users u join relationships r on r.tenant_id = u.tenant_id and r.partner_id = ${partnerId}) as users,
      (select count(*)::int from license_assignments a join relationships r on r.tenant_id = a.tenant_id and r.partner_id = ${partnerId}) as assignments
  `.execute(db);
  return r.rows[0]!;
}

/**
 * Seeds a synthetic book of `customers` customers for a scale partner (see the module comment).
 * Needs the demo catalog; seeds it first when it is missing. Running it again with the same seed
 * changes nothing and answers the counts of the book already there (`created: false`).
 */
export async function seedScale(db: Db, opts: SeedScaleOptions): Promise<SeedScaleResult> {
  const seed = opts.seed ?? 1;
  const total = opts.customers;
  if (!Number.isInteger(total) || total < 1) throw new RangeError('customers: a whole number ≥ 1');
  const config = opts.config ?? loadConfig(process.env);
  const clock = new PlatformClock(db);
  await clock.refresh(true);
  const now = clock.now();
  const partnerId = scaleId(seed, 'partner', 0);
  const adminEmail = `admin@scale-${seed}.test`;
  const existing = await db
    .selectFrom('partners')
    .select('id')
    .where('id', '=', partnerId)
    .executeTakeFirst();
  if (existing) return { partnerId, adminEmail, ...(await countBook(db, partnerId)), created: false };

  const otherPartners = [scaleId(seed, 'other-partner', 0), scaleId(seed, 'other-partner', 1)];
  const source = {
    db,
    clock: fixedClock(now),
    actor: systemActor(),
    requestId: `seed-scale-${seed}`,
    log: createLogger('silent'),
    config,
  };
  await openContext(source, async (ctx) => {
    const trx = ctx.db;
    const demoOffers = await trx
      .selectFrom('offers')
      .select('id')
      .where('id', 'in', [CROSS_OFFER, ...SOURCE_OFFERS.map(([id]) => id)])
      .execute();
    if (demoOffers.length < SOURCE_OFFERS.length + 1)
      await seedDemoCatalog(ctx, await readReferenceFile(REFERENCE_CSV));
    const region = regionOf('ES')!;
    await trx
      .insertInto('partners')
      .values([
        {
          id: partnerId,
          name: `Scale Partner ${seed}`,
          country: 'ES',
          region,
          kind: 'direct-bill',
          created_at: now,
        },
        ...otherPartners.map((id, k) => ({
          id,
          name: `Scale Other Partner ${seed}-${k + 1}`,
          country: 'ES',
          region,
          kind: 'direct-bill' as const,
          created_at: now,
        })),
      ])
      .execute();
    await createUser(ctx, {
      email: adminEmail,
      password: SCALE_PASSWORD,
      displayName: `Scale Admin ${seed}`,
      kind: 'partner',
      roles: ['account-admin'],
      partnerId,
    });
  });

  const offerRows = await db
    .selectFrom('offers')
    .select(['id', 'sku_id', 'unit_price', 'currency', 'refund_window_hours'])
    .execute();
  const offers = new Map(
    offerRows.map((o) => [
      o.id,
      {
        skuId: o.sku_id,
        unitPrice: Number(o.unit_price ?? 0),
        currency: o.currency ?? 'USD',
        refundWindowHours: o.refund_window_hours,
      },
    ]),
  );
  const batchSize = opts.batchSize ?? 500;
  const counts = { subscriptions: 0, users: 0, assignments: 0 };
  for (let from = 0; from < total; from += batchSize) {
    const to = Math.min(total, from + batchSize);
    const batch = generateBatch(seed, from, to, now, offers, otherPartners);
    const c = await db.transaction().execute((trx) => insertBatch(trx, seed, partnerId, batch, now));
    counts.subscriptions += c.subscriptions;
    counts.users += c.users;
    counts.assignments += c.assignments;
    opts.onProgress?.(to, total);
  }
  await openContext(source, (ctx) =>
    recordAudit(ctx, {
      action: 'scale.seeded',
      targetType: 'partner',
      targetId: partnerId,
      partnerId,
      data: { seed, customers: total, ...counts },
    }),
  );
  return { partnerId, adminEmail, tenants: total, ...counts, created: true };
}
