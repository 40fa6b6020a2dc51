import {
  featureLine,
  impliedWorkloads,
  isDataWorkload,
  isRetiredPlan,
  normalizePlanName,
  type PaidCapability,
  paidCapability,
  quotaLabel,
  SAME_PLAN_WORKLOADS,
  supersededBy,
} from './workloads.ts';

/**
 * A service plan as equivalence sees it. `workload` is a string because plans also come from
 * database rows; anything that is not a known data workload counts as a feature.
 */
export interface CoveragePlan {
  id: string;
  name: string;
  workload: string;
  tier: number;
  holdsUserData: boolean;
  quotaLabel?: string | undefined;
}

export type CoverageVerdict = 'covers' | 'needs-acknowledgment' | 'blocked';

export interface LowerTier {
  workload: string;
  from: string;
  to: string;
  quotaFrom?: string;
  quotaTo?: string;
}

export interface PaidLoss {
  capability: PaidCapability;
  /** What goes, as a partner names it ("Teams Phone", "Power BI Pro"). */
  names: string[];
}

export interface Coverage {
  /** True only when nothing is missing, smaller or paid-for lost: verdict 'covers'. */
  covers: boolean;
  verdict: CoverageVerdict;
  lowerTier: LowerTier[];
  missingDataWorkloads: { workload: string; plans: string[] }[];
  /** Paid capabilities the user loses (SPEC §3.1): the data stays, the acknowledgment names them. */
  paidLost: PaidLoss[];
  featuresLost: string[];
  gained: string[];
}

interface Best {
  tier: number;
  name: string;
  quota: string | undefined;
}

/**
 * What a set of plans holds, reduced for comparing: the highest tier per data workload (with what
 * the plans imply: a mailbox's archive), the plans of same-plan workloads (a Cloud PC, a Dynamics
 * app), and the paid capabilities. Built once per offer (or user), compared many times.
 */
export interface Profile {
  data: Map<string, Best>;
  samePlan: Map<string, Set<string>>;
  paid: Map<string, PaidCapability>;
}

const isData = (p: CoveragePlan) => p.holdsUserData && isDataWorkload(p.workload);

export function profileOf(plans: readonly CoveragePlan[], excluded?: ReadonlySet<string>): Profile {
  const profile: Profile = { data: new Map(), samePlan: new Map(), paid: new Map() };
  for (const p of plans) {
    if (excluded?.has(p.id.toLowerCase())) continue;
    if (isData(p)) {
      if (SAME_PLAN_WORKLOADS.has(p.workload)) {
        const set = profile.samePlan.get(p.workload) ?? new Set<string>();
        profile.samePlan.set(p.workload, set.add(normalizePlanName(p.name)));
      }
      raise(profile.data, p.workload, { tier: p.tier, name: p.name, quota: quotaOf(p) });
      for (const extra of impliedWorkloads(p.workload, p.tier)) {
        raise(profile.data, extra.workload, {
          tier: extra.tier,
          name: p.name,
          quota: quotaLabel(extra.workload, extra.tier),
        });
      }
    } else {
      const paid = paidCapability(p.name);
      if (paid) profile.paid.set(paid.label, paid.capability);
    }
  }
  return profile;
}

/** A paid capability the target carries in a larger version is kept (Plan 2 includes Plan 1). */
const PAID_KEPT_BY: Record<string, string[]> = {
  'Defender for Office 365 (Plan 1)': ['Defender for Office 365 (Plan 2)'],
  'Defender for Endpoint (Plan 1)': ['Defender for Endpoint (Plan 2)'],
  'Power BI Pro': ['Power BI Premium Per User'],
};

function tierOn(have: readonly Profile[], workload: string): Best | undefined {
  let best: Best | undefined;
  for (const h of have) {
    const b = h.data.get(workload);
    if (b && (!best || b.tier > best.tier || (b.tier === best.tier && cmp(b.name, best.name) < 0))) best = b;
  }
  return best;
}

function paidKept(have: readonly Profile[], label: string): boolean {
  const alternatives = PAID_KEPT_BY[label] ?? [];
  return have.some((h) => h.paid.has(label) || alternatives.some((a) => h.paid.has(a)));
}

function samePlanKept(have: readonly Profile[], workload: string, plan: string): boolean {
  return have.some((h) => h.samePlan.get(workload)?.has(plan));
}

/**
 * The verdict alone, from profiles: 0 covers, 1 needs acknowledgment, 2 blocked. The planner's
 * candidate search and the all-pairs figure use it; `coverage` gives the same verdict with reasons.
 */
export function quickVerdict(need: Profile, have: readonly Profile[]): 0 | 1 | 2 {
  let verdict: 0 | 1 | 2 = 0;
  for (const [workload, src] of need.data) {
    const tgt = tierOn(have, workload);
    if (!tgt) return 2;
    if (SAME_PLAN_WORKLOADS.has(workload)) {
      for (const plan of need.samePlan.get(workload) ?? []) if (!samePlanKept(have, workload, plan)) return 2;
    } else if (tgt.tier < src.tier) verdict = 1;
  }
  if (verdict === 0) for (const label of need.paid.keys()) if (!paidKept(have, label)) return 1;
  return verdict;
}

/**
 * Does a target (a base offer plus add-ons: pass the union of their plans) cover a source for one
 * user? Compared by workload and tier, never by plan ids: real suites differ in a handful of ids
 * (Business Standard → Premium) and yet lose nothing.
 *  - every data workload the user has on the source (its plans minus the user's excluded ones, with
 *    what they imply) must be on the target at the same tier or higher; a Cloud PC or a Dynamics
 *    app only on the same plan;
 *  - a lower tier (a smaller mailbox or archive) → needs acknowledgment, with the quotas named;
 *  - a paid capability lost (voice, advanced security, analytics) → needs acknowledgment, named;
 *  - a missing data workload → blocked, with the source plans (the data) at risk;
 *  - missing features only → listed in featuresLost (real losses: not a retired service, not a
 *    plan the target carries in another or newer version), still covered.
 * `alsoHeld`: the plans of the user's other licenses, which stay (SPEC §11: they count).
 */
export function coverage(
  source: readonly CoveragePlan[],
  target: readonly CoveragePlan[],
  excludedPlanIds: readonly string[] | ReadonlySet<string> = [],
  alsoHeld: readonly CoveragePlan[] = [],
): Coverage {
  const excluded = new Set([...excludedPlanIds].map((id) => id.toLowerCase()));
  const enabled = source.filter((p) => !excluded.has(p.id.toLowerCase()));
  const need = profileOf(enabled);
  const have = alsoHeld.length > 0 ? [profileOf(target), profileOf(alsoHeld)] : [profileOf(target)];

  const atRisk = new Map<string, Set<string>>();
  for (const p of enabled.filter(isData))
    atRisk.set(p.workload, (atRisk.get(p.workload) ?? new Set()).add(p.name));

  const missingDataWorkloads: Coverage['missingDataWorkloads'] = [];
  const lowerTier: LowerTier[] = [];
  for (const [workload, src] of [...need.data.entries()].sort(([a], [b]) => cmp(a, b))) {
    const tgt = tierOn(have, workload);
    const risk = [...(atRisk.get(workload) ?? [src.name])].sort(cmp);
    if (!tgt) {
      missingDataWorkloads.push({ workload, plans: risk });
    } else if (SAME_PLAN_WORKLOADS.has(workload)) {
      const lost = [...(need.samePlan.get(workload) ?? [])].filter((p) => !samePlanKept(have, workload, p));
      if (lost.length > 0)
        missingDataWorkloads.push({
          workload,
          plans: risk.filter((r) => lost.includes(normalizePlanName(r))),
        });
    } else if (tgt.tier < src.tier) {
      const item: LowerTier = { workload, from: src.name, to: tgt.name };
      if (src.quota) item.quotaFrom = src.quota;
      if (tgt.quota) item.quotaTo = tgt.quota;
      lowerTier.push(item);
    }
  }

  const paidByCapability = new Map<PaidCapability, string[]>();
  for (const [label, capability] of [...need.paid.entries()].sort(([a], [b]) => cmp(a, b)))
    if (!paidKept(have, label))
      paidByCapability.set(capability, [...(paidByCapability.get(capability) ?? []), label]);
  const paidLost: PaidLoss[] = [...paidByCapability.entries()]
    .sort(([a], [b]) => cmp(a, b))
    .map(([capability, names]) => ({ capability, names }));

  // Features are matched by id, name, line (the suite-numbered variants of one plan) or successor.
  const onTarget = [...target, ...alsoHeld];
  const targetIds = new Set(onTarget.map((p) => p.id.toLowerCase()));
  const targetNames = new Set(onTarget.map((p) => normalizePlanName(p.name)));
  const targetLines = new Set(onTarget.map((p) => featureLine(p.name)));
  const kept = (p: CoveragePlan) =>
    targetIds.has(p.id.toLowerCase()) ||
    targetNames.has(normalizePlanName(p.name)) ||
    targetLines.has(featureLine(p.name)) ||
    supersededBy(p.name).some((n) => targetNames.has(n));
  const paidLostNames = new Set(paidLost.flatMap((l) => l.names));
  const featuresLost = unique(
    enabled
      .filter((p) => !isData(p) && !isRetiredPlan(p.name))
      .filter((p) => {
        const paid = paidCapability(p.name);
        return paid ? paidLostNames.has(paid.label) : !kept(p);
      })
      .map((p) => p.name),
  );

  const sourceIds = new Set(source.map((p) => p.id.toLowerCase()));
  const sourceNames = new Set(source.map((p) => normalizePlanName(p.name)));
  const gained = unique(
    target
      .filter((p) => !sourceIds.has(p.id.toLowerCase()) && !sourceNames.has(normalizePlanName(p.name)))
      .filter((p) => !isRetiredPlan(p.name))
      .map((p) => p.name),
  );

  const verdict: CoverageVerdict =
    missingDataWorkloads.length > 0
      ? 'blocked'
      : lowerTier.length > 0 || paidLost.length > 0
        ? 'needs-acknowledgment'
        : 'covers';
  return {
    covers: verdict === 'covers',
    verdict,
    lowerTier,
    missingDataWorkloads,
    paidLost,
    featuresLost,
    gained,
  };
}

/** Orders verdicts from best to worst, for callers that pick the worst over many users. */
export const VERDICT_RANK: Record<CoverageVerdict, number> = {
  covers: 0,
  'needs-acknowledgment': 1,
  blocked: 2,
};

function quotaOf(p: CoveragePlan): string | undefined {
  return p.quotaLabel ?? quotaLabel(p.workload, p.tier);
}

// Keeps the highest tier per workload; on a tie the first name in code-unit order, so the answer
// does not depend on the order plans arrive in.
function raise(map: Map<string, Best>, workload: string, candidate: Best): void {
  const cur = map.get(workload);
  if (
    !cur ||
    candidate.tier > cur.tier ||
    (candidate.tier === cur.tier && cmp(candidate.name, cur.name) < 0)
  ) {
    map.set(workload, candidate);
  }
}

function unique(names: string[]): string[] {
  return [...new Set(names)].sort(cmp);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
