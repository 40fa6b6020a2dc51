import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { product, reference } from '../../../test/fixtures/reference.ts';
import { type CoveragePlan, coverage, VERDICT_RANK } from './equivalence.ts';

const plans = (partNumber: string) => product(partNumber).servicePlans;
const union = (...partNumbers: string[]) => partNumbers.flatMap(plans);
const workloads = (c: ReturnType<typeof coverage>) => c.missingDataWorkloads.map((m) => m.workload);

describe('coverage on real suites from the reference CSV', () => {
  it('Business Standard → Business Premium covers, although their plan ids differ', () => {
    const source = plans('O365_BUSINESS_PREMIUM');
    const target = plans('SPB');
    const targetIds = new Set(target.map((p) => p.id));
    expect(source.every((p) => targetIds.has(p.id))).toBe(false);

    const c = coverage(source, target);
    expect(c.verdict).toBe('covers');
    expect(c.covers).toBe(true);
    expect(c.missingDataWorkloads).toEqual([]);
    expect(c.lowerTier).toEqual([]);
    expect(c.gained).toContain('EXCHANGE_S_ARCHIVE_ADDON');
  });

  it('Business Basic → Business Standard covers the data', () => {
    expect(coverage(plans('O365_BUSINESS_ESSENTIALS'), plans('O365_BUSINESS_PREMIUM')).verdict).toBe(
      'covers',
    );
  });

  it('Business Standard → Business Basic keeps mailbox, files, chat and tasks at the same tier', () => {
    const c = coverage(plans('O365_BUSINESS_PREMIUM'), plans('O365_BUSINESS_ESSENTIALS'));
    expect(c.lowerTier).toEqual([]);
    for (const w of ['mailbox', 'files', 'chat', 'tasks', 'forms', 'community'])
      expect(workloads(c)).not.toContain(w);
    expect(c.featuresLost).toContain('OFFICE_BUSINESS');
    // The reference lists no Bookings, Loop, Stream or Whiteboard plan in Business Basic, yet none of
    // them is a user's data (SPEC §11): booking mailboxes, files in OneDrive, a retired service.
    expect(workloads(c)).toEqual([]);
    expect(c.verdict).toBe('covers');
  });

  it('Office 365 E3 → E1 keeps every workload but shrinks the mailbox: acknowledgment with quotas', () => {
    const c = coverage(plans('ENTERPRISEPACK'), plans('STANDARDPACK'));
    expect(c.verdict).toBe('needs-acknowledgment');
    expect(c.covers).toBe(false);
    expect(c.missingDataWorkloads).toEqual([]);
    expect(c.lowerTier).toContainEqual({
      workload: 'mailbox',
      from: 'EXCHANGE_S_ENTERPRISE',
      to: 'EXCHANGE_S_STANDARD',
      quotaFrom: '100 GB',
      quotaTo: '50 GB',
    });
    expect(c.lowerTier).toContainEqual({
      workload: 'files',
      from: 'SHAREPOINTENTERPRISE',
      to: 'SHAREPOINTSTANDARD',
    });
  });

  it('Office 365 E1 → E1 EEA (no Teams) alone loses chat; with Teams EEA added it covers', () => {
    const alone = coverage(plans('STANDARDPACK'), plans('Office_365_w/o_Teams_Bundle_E1'));
    expect(alone.verdict).toBe('blocked');
    expect(alone.missingDataWorkloads).toEqual([{ workload: 'chat', plans: ['TEAMS1'] }]);

    const both = coverage(
      plans('STANDARDPACK'),
      union('Office_365_w/o_Teams_Bundle_E1', 'Microsoft_Teams_EEA_New'),
    );
    expect(both.verdict).toBe('covers');
    expect(both.missingDataWorkloads).toEqual([]);
  });

  it('Office 365 E3 → E3 EEA (no Teams) + Teams EEA covers', () => {
    const c = coverage(plans('ENTERPRISEPACK'), union('O365_w/o_Teams_Bundle_E3', 'Microsoft_Teams_EEA_New'));
    expect(c.verdict).toBe('covers');
  });

  it('a Project Online SKU → Business Premium is blocked, naming the project data at risk', () => {
    for (const pn of ['PROJECTPREMIUM', 'PROJECTPROFESSIONAL']) {
      const c = coverage(plans(pn), plans('SPB'));
      expect(c.verdict, pn).toBe('blocked');
      expect(c.missingDataWorkloads).toContainEqual({ workload: 'project', plans: ['SHAREPOINT_PROJECT'] });
    }
  });

  it('Business Premium → Microsoft 365 E3 keeps the archive (Exchange Plan 2 includes it) but loses paid Defender', () => {
    const c = coverage(plans('SPB'), plans('SPE_E3'));
    expect(workloads(c)).not.toContain('archive');
    expect(c.lowerTier).toEqual([]);
    expect(c.paidLost).toEqual([
      { capability: 'security', names: ['Defender for Business', 'Defender for Office 365 (Plan 1)'] },
    ]);
    expect(c.verdict).toBe('needs-acknowledgment');
  });

  it('ignores what the user has switched off: no Teams on the source, nothing lost with a no-Teams target', () => {
    const source = plans('STANDARDPACK');
    const teams = source.find((p) => p.name === 'TEAMS1');
    expect(teams).toBeDefined();
    const c = coverage(source, plans('Office_365_w/o_Teams_Bundle_E1'), [teams?.id.toUpperCase() ?? '']);
    expect(c.verdict).toBe('covers');
  });

  it('lists missing features without blocking', () => {
    // Microsoft 365 E3 → Office 365 E3: Loop workspaces are tenant containers, not a user's data.
    const source = plans('SPE_E3');
    expect(coverage(source, plans('ENTERPRISEPACK')).missingDataWorkloads).toEqual([]);
    // Switch the paid Defender plan off: what is left is features only.
    const defender = source.filter((p) => p.name === 'MDE_LITE').map((p) => p.id);
    expect(defender).toHaveLength(1);
    const c = coverage(source, plans('ENTERPRISEPACK'), defender);
    expect(c.verdict).toBe('covers');
    expect(c.featuresLost).toEqual(expect.arrayContaining(['AAD_PREMIUM', 'INTUNE_A', 'MICROSOFT_LOOP']));
  });
});

describe('coverage properties', () => {
  const pool = (): CoveragePlan[] => {
    const all = new Map<string, CoveragePlan>();
    for (const p of reference().products) for (const s of p.servicePlans) all.set(s.id, s);
    return [...all.values()];
  };
  const allPlans = pool();
  const planSet = fc.uniqueArray(fc.constantFrom(...allPlans), { maxLength: 25, selector: (p) => p.id });
  const products = reference().products;
  const someProduct = fc.constantFrom(...products);

  it('a set of plans always covers itself, whatever the user switched off', () => {
    fc.assert(
      fc.property(
        planSet,
        fc.array(fc.constantFrom(...allPlans.map((p) => p.id)), { maxLength: 5 }),
        (set, off) => {
          const c = coverage(set, set, off);
          expect(c.verdict).toBe('covers');
          expect(c.featuresLost).toEqual([]);
          expect(c.gained).toEqual([]);
        },
      ),
    );
  });

  it('adding plans to the target never makes the verdict worse', () => {
    fc.assert(
      fc.property(someProduct, someProduct, planSet, (src, tgt, extra) => {
        const before = coverage(src.servicePlans, tgt.servicePlans);
        const after = coverage(src.servicePlans, [...tgt.servicePlans, ...extra]);
        expect(VERDICT_RANK[after.verdict]).toBeLessThanOrEqual(VERDICT_RANK[before.verdict]);
        if (before.covers) expect(after.verdict).not.toBe('blocked');
      }),
    );
  });

  it('switching more plans off on the source never makes the verdict worse', () => {
    fc.assert(
      fc.property(someProduct, someProduct, fc.integer({ min: 0, max: 2 ** 30 }), (src, tgt, mask) => {
        const off = src.servicePlans.filter((_, i) => (mask >> (i % 30)) & 1).map((p) => p.id);
        const all = coverage(src.servicePlans, tgt.servicePlans);
        const fewer = coverage(src.servicePlans, tgt.servicePlans, off);
        expect(VERDICT_RANK[fewer.verdict]).toBeLessThanOrEqual(VERDICT_RANK[all.verdict]);
      }),
    );
  });

  // The planner computes a user's coverage without the user's other licenses first and reuses it
  // whenever that loses nothing (src/domain/planner/plan.ts, cachedCoverage): sound only if the
  // other licenses can take losses away and never add one, nor change what is gained.
  it("a user's other licenses only take losses away; where the target alone loses nothing they change nothing", () => {
    let clean = 0;
    let lossy = 0;
    fc.assert(
      fc.property(
        someProduct,
        fc.oneof(
          someProduct.map((p) => p.servicePlans),
          fc.tuple(someProduct, planSet).map(([p, extra]) => [...p.servicePlans, ...extra]),
        ),
        fc.array(someProduct, { minLength: 1, maxLength: 3 }),
        fc.integer({ min: 0, max: 2 ** 30 }),
        (src, target, held, mask) => {
          const off = src.servicePlans
            .filter((_, i) => (mask >> (i % 30)) & 1 && i % 3 === 0)
            .map((p) => p.id);
          const alone = coverage(src.servicePlans, target, off);
          const withHeld = coverage(
            src.servicePlans,
            target,
            off,
            held.flatMap((h) => h.servicePlans),
          );
          expect(withHeld.gained).toEqual(alone.gained);
          const workloads = (c: typeof alone) => c.missingDataWorkloads.map((m) => m.workload);
          for (const w of workloads(withHeld)) expect(workloads(alone)).toContain(w);
          // A workload missing from the target alone may be held at a lower tier elsewhere.
          const lostAlone = [...workloads(alone), ...alone.lowerTier.map((x) => x.workload)];
          for (const l of withHeld.lowerTier) expect(lostAlone).toContain(l.workload);
          for (const f of withHeld.featuresLost) expect(alone.featuresLost).toContain(f);
          const paid = (c: typeof alone) => c.paidLost.flatMap((x) => x.names);
          for (const n of paid(withHeld)) expect(paid(alone)).toContain(n);
          expect(VERDICT_RANK[withHeld.verdict]).toBeLessThanOrEqual(VERDICT_RANK[alone.verdict]);
          const losesNothing =
            alone.missingDataWorkloads.length === 0 &&
            alone.lowerTier.length === 0 &&
            alone.paidLost.length === 0 &&
            alone.featuresLost.length === 0;
          if (losesNothing) {
            clean++;
            expect(withHeld).toEqual(alone);
          } else lossy++;
        },
      ),
      { numRuns: 300 },
    );
    // Both branches were exercised.
    expect(clean).toBeGreaterThan(0);
    expect(lossy).toBeGreaterThan(0);
  });

  it('does not depend on the order of plans', () => {
    fc.assert(
      fc.property(someProduct, someProduct, (src, tgt) => {
        const a = coverage(src.servicePlans, tgt.servicePlans);
        const b = coverage([...src.servicePlans].reverse(), [...tgt.servicePlans].reverse());
        expect(b).toEqual(a);
      }),
    );
  });
});
