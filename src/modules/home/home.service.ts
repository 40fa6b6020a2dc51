import { can } from '../../platform/auth/permissions.ts';
import type { Db } from '../../platform/db/database.ts';
import type { Ctx } from '../../platform/http/context.ts';
import { partnerGrantsEndingWithin } from '../delegated-admin/index.ts';
import { pendingRequestRows } from '../relationships/index.ts';
import { endingInBook } from '../subscriptions/index.ts';
import { tenantSummaries } from '../tenants/index.ts';
import {
  claimedAmong,
  countBookGroups,
  plansAwaitingAcknowledgment,
  TRANSITION_GROUPS,
} from '../transitions/index.ts';

/** How far ahead "ends soon" looks (the demo's direct subscription ends within 60 days). */
export const ENDING_DAYS = 90;
/** How far ahead home warns that a delegated admin grant (GDAP) ends (the reminders' first notice). */
export const GDAP_ENDING_DAYS = 30;
/** How many subscriptions home lists; `total` says how many need attention in all. */
const MAX_ITEMS = 50;

const URGENCY: Record<string, number> = { expired: 0, disabled: 0, active: 1 };

/**
 * The partner's home, computed on the server for the whole book (issue 21): the subscriptions that
 * need attention ranked by urgency (expired or disabled first, then the soonest to end), leaving
 * out those a transition already moves (claimed: under way, or moved by an applied one); the count
 * of transitions in each group; the delegated admin grants (GDAP) about to end; the pending relationship requests, each naming its customer; the
 * plans waiting for someone's acknowledgment.
 */
export async function homeOf(ctx: Ctx<Db>) {
  const partnerId = ctx.actor.partnerId ?? '';
  const canPlan = can(ctx.actor.roles, 'transitions.plan');
  const canRequest = can(ctx.actor.roles, 'relationships.request');
  const ending = await endingInBook(ctx, partnerId, ENDING_DAYS);
  const claimed = await claimedAmong(
    ctx.db,
    ending.map((s) => s.id),
  );
  const open = ending
    .filter((s) => !claimed.has(s.id))
    .sort(
      (a, b) =>
        (URGENCY[a.status] ?? 1) - (URGENCY[b.status] ?? 1) ||
        a.termEnd.getTime() - b.termEnd.getTime() ||
        (a.id < b.id ? -1 : 1),
    );
  const shown = open.slice(0, MAX_ITEMS);
  const grants = await partnerGrantsEndingWithin(ctx.db, partnerId, ctx.clock.now(), GDAP_ENDING_DAYS);
  const names = await tenantSummaries(ctx, [
    ...new Set([...shown.map((s) => s.tenantId), ...grants.map((g) => g.tenant_id)]),
  ]);
  const [groups, requests, plans] = await Promise.all([
    canPlan
      ? countBookGroups(ctx.db, partnerId)
      : Promise.resolve(Object.fromEntries(TRANSITION_GROUPS.map((g) => [g, 0]))),
    canRequest ? pendingRequestRows(ctx.db, partnerId, ctx.clock.now(), 50) : Promise.resolve([]),
    canPlan ? plansAwaitingAcknowledgment(ctx.db, partnerId) : Promise.resolve([]),
  ]);
  return {
    now: ctx.clock.now().toISOString(),
    attention: {
      total: open.length,
      items: shown.map((s) => {
        const c = names.get(s.tenantId);
        return {
          subscriptionId: s.id,
          customer: {
            tenantId: s.tenantId,
            companyName: c?.name ?? '',
            defaultDomain: c?.domain ?? '',
          },
          offerId: s.offerId,
          offerName: s.offerName,
          channel: s.channel,
          status: s.status,
          expired: s.status !== 'active',
          termEnd: s.termEnd.toISOString(),
          autoRenew: s.autoRenew,
        };
      }),
    },
    delegatedAdminEnding: grants.map((g) => {
      const c = names.get(g.tenant_id);
      return {
        grantId: g.id,
        customer: { tenantId: g.tenant_id, companyName: c?.name ?? '', defaultDomain: c?.domain ?? '' },
        expiresAt: (g.expires_at as Date).toISOString(),
      };
    }),
    transitions: groups,
    pendingRequests: requests.map((r) => ({
      id: r.id,
      customer: r.tenant_id
        ? {
            tenantId: r.tenant_id,
            companyName: r.company_name ?? '',
            defaultDomain: r.default_domain ?? '',
          }
        : null,
      createdAt: r.created_at.toISOString(),
      expiresAt: r.expires_at.toISOString(),
    })),
    plansAwaitingAcknowledgment: plans.map((p) => ({
      transitionId: p.id,
      customer: { tenantId: p.tenant_id, companyName: p.company_name },
      verdict: p.verdict,
      createdAt: p.created_at.toISOString(),
    })),
  };
}
