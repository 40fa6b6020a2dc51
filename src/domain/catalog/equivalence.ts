import { impliedWorkloads, isDataWorkload, normalizePlanName, quotaLabel } from './workloads.ts';

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

export interface Coverage {
  /** True only when nothing is missing and nothing is smaller: verdict 'covers'. */
  covers: boolean;
  verdict: CoverageVerdict;
  lowerTier: LowerTier[];
  missingDataWorkloads: { workload: string; plans: string[] }[];
  featuresLost: string[];
  gained: string[];
}

interface Best {
  tier: number;
  name: string;
  quota: string | undefined;
}

/**
 * Does a target (a base offer plus add-ons: pass the union of their plans) cover a source for one
 * user? Compared by workload and tier, never by plan ids: real suites differ in a handful of ids
 * (Business Standard → Premium) and yet lose nothing.
 *  - every data workload the user has on the source (its plans minus the user's excluded ones) must
 *    be on the target at the same tier or higher;
 *  - a lower tier (a smaller mailbox) → needs acknowledgment, with the quotas named;
 *  - a missing data workload → blocked, with the source plans (the data) at risk;
 *  - missing features only → listed in featuresLost, still covered.
 * A target plan also brings the workloads its tier includes (Exchange Plan 2 includes the archive).
 */
export function coverage(
  source: readonly CoveragePlan[],
  target: readonly CoveragePlan[],
  excludedPlanIds: readonly string[] | ReadonlySet<string> = [],
): Coverage {
  const excluded = new Set([...excludedPlanIds].map((id) => id.toLowerCase()));
  const enabled = source.filter((p) => !excluded.has(p.id.toLowerCase()));
  const isData = (p: CoveragePlan) => p.holdsUserData && isDataWorkload(p.workload);

  const need = new Map<string, Best>();
  const atRisk = new Map<string, Set<string>>();
  for (const p of enabled.filter(isData)) {
    raise(need, p.workload, { tier: p.tier, name: p.name, quota: quotaOf(p) });
    atRisk.set(p.workload, (atRisk.get(p.workload) ?? new Set()).add(p.name));
  }

  const have = new Map<string, Best>();
  for (const p of target.filter(isData)) {
    raise(have, p.workload, { tier: p.tier, name: p.name, quota: quotaOf(p) });
    for (const extra of impliedWorkloads(p.workload, p.tier)) {
      raise(have, extra.workload, {
        tier: extra.tier,
        name: p.name,
        quota: quotaLabel(extra.workload, extra.tier),
      });
    }
  }

  const missingDataWorkloads: Coverage['missingDataWorkloads'] = [];
  const lowerTier: LowerTier[] = [];
  for (const [workload, src] of [...need.entries()].sort(([a], [b]) => cmp(a, b))) {
    const tgt = have.get(workload);
    if (!tgt) {
      missingDataWorkloads.push({ workload, plans: [...(atRisk.get(workload) ?? [])].sort(cmp) });
    } else if (tgt.tier < src.tier) {
      const item: LowerTier = { workload, from: src.name, to: tgt.name };
      if (src.quota) item.quotaFrom = src.quota;
      if (tgt.quota) item.quotaTo = tgt.quota;
      lowerTier.push(item);
    }
  }

  // Features are matched by id or name: the same feature keeps its name across suites.
  const targetIds = new Set(target.map((p) => p.id.toLowerCase()));
  const targetNames = new Set(target.map((p) => normalizePlanName(p.name)));
  const onTarget = (p: CoveragePlan) =>
    targetIds.has(p.id.toLowerCase()) || targetNames.has(normalizePlanName(p.name));
  const featuresLost = unique(enabled.filter((p) => !isData(p) && !onTarget(p)).map((p) => p.name));

  const sourceIds = new Set(source.map((p) => p.id.toLowerCase()));
  const sourceNames = new Set(source.map((p) => normalizePlanName(p.name)));
  const gained = unique(
    target
      .filter((p) => !sourceIds.has(p.id.toLowerCase()) && !sourceNames.has(normalizePlanName(p.name)))
      .map((p) => p.name),
  );

  const verdict: CoverageVerdict =
    missingDataWorkloads.length > 0 ? 'blocked' : lowerTier.length > 0 ? 'needs-acknowledgment' : 'covers';
  return { covers: verdict === 'covers', verdict, lowerTier, missingDataWorkloads, featuresLost, gained };
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
