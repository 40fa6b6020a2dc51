import { classifyServicePlan, normalizePlanName, type PlanClass } from './workloads.ts';

/**
 * What a product is for, as a partner reads the catalog (SPEC §11): who may buy it (segment), for
 * what (purpose: only `user` products are targets for people), its product line (family), whether
 * it is an add-on and on which bases, its seat cap and its cancellation policy. Documented rules on
 * names and plans decide; `data/catalog-classes.csv` (reviewed by hand) corrects what they miss.
 */
export const SEGMENTS = ['commercial', 'education', 'government', 'nonprofit'] as const;
export type Segment = (typeof SEGMENTS)[number];
export const PURPOSES = ['user', 'unattended', 'device', 'developer', 'trial', 'free'] as const;
export type Purpose = (typeof PURPOSES)[number];

export interface ProductClass {
  segment: Segment;
  purpose: Purpose;
  family: string;
  kind: 'base' | 'add-on';
  /** For an add-on: the SKU ids of the bases it needs (empty: any base). */
  requiresBaseSkuIds: string[];
  /** Seats one tenant may hold (the Business suites: 300); null = no cap. */
  maxSeats: number | null;
  /** New commerce: a prorated refund within 7 days (168 hours) of purchase or renewal; 0 = none. */
  refundWindowHours: number;
}

/** The product fields the rules read. */
export interface ClassifiableProduct {
  skuId: string;
  skuPartNumber: string;
  name: string;
  servicePlans: readonly { name: string }[];
}

/** One reviewed correction of `data/catalog-classes.csv`; empty fields keep the rules' answer. */
export interface ClassOverride {
  skuPartNumber: string;
  segment?: Segment;
  purpose?: Purpose;
  family?: string;
  kind?: 'base' | 'add-on';
  /** Part numbers of the bases an add-on needs (replaces what the rules found). */
  requires?: string[];
  maxSeats?: number | null;
  reason: string;
}

export const NEW_COMMERCE_REFUND_HOURS = 168;
export const BUSINESS_SEAT_CAP = 300;

const has = (re: RegExp, ...texts: string[]) => texts.some((t) => re.test(t));

export function segmentOf(name: string, part: string): Segment {
  if (has(/nonprofit|non_profit|donation/i, name, part)) return 'nonprofit';
  if (
    has(/\bGCC\b|GCCHIGH|USGOV|\bDOD\b|government|\bG[135]\b/i, name) ||
    has(/_GOV\b|_GOV_|GCC|USGOV|_DOD\b/i, part)
  )
    return 'government';
  if (
    has(/\bA[135]\b|faculty|student|\bEDU\b|education|academic|alumni|\bschool/i, name) ||
    has(/EDU|FACULTY|STUDENT|STUUSEBNFT|ALUMNI|_STU\b|_FAC\b/i, part)
  )
    return 'education';
  return 'commercial';
}

export function purposeOf(name: string, part: string): Purpose {
  if (has(/unattended/i, name) || has(/_RPA1\b|UNATTENDED/i, part) || /per process/i.test(name))
    return 'unattended';
  if (has(/developer|sandbox|non-production|non-prod\b/i, name) || has(/DEVELOPER|_DEV\b|SANDBOX/i, part))
    return 'developer';
  if (
    has(/\btrial\b|\btria\b|vtrial|viral|\(preview\)|\bpreview\b|exploratory|\btest\b|for IWs?\b/i, name) ||
    has(/TRIAL|VIRAL|_IW(_SKU)?$|_TEST\b|_TEST_|EXPLORATORY/i, part)
  )
    return 'trial';
  if (has(/\(free\)|\bfree\b/i, name) || has(/_FREE\b|FREE$|STANDARD_FREE/i, part)) return 'free';
  if (
    has(
      /\(device\)|\bdevice\b|shared use|teams rooms|room|shared devices|common area phone|virtual user|resource account|hololens/i,
      name,
    )
  )
    return 'device';
  return 'user';
}

/** First match wins: specific product lines before the suites whose names they start with. */
const FAMILIES: [RegExp, string][] = [
  [/copilot/i, 'Copilot'],
  [/windows 365/i, 'Windows 365'],
  [
    /business voice|audio conferencing|calling plan|domestic calling|pstn|communications credits|skype/i,
    'Teams',
  ],
  [/apps for (business|enterprise|faculty|students)|office 365 proplus/i, 'Microsoft 365 Apps'],
  // The suites, with or without Teams and whatever their voice options.
  [/^microsoft 365 business|^office 365 (small business|midsize)/i, 'Microsoft 365 Business'],
  [/^microsoft 365 (f\d|frontline)|^office 365 f\d/i, 'Frontline'],
  [/^microsoft 365 (e\d|a\d|g\d|gcc g\d)(?![a-z0-9])/i, 'Microsoft 365 Enterprise'],
  [/^office 365 (e\d|a\d|g\d|gcc g\d)(?![a-z0-9])/i, 'Office 365'],
  [/teams|phone/i, 'Teams'],
  [/power bi|fabric/i, 'Power BI'],
  [/dynamics|\bcrm\b|sensor data intelligence/i, 'Dynamics 365'],
  [/project|planner/i, 'Project'],
  [/visio/i, 'Visio'],
  [/^office 365 /i, 'Office 365'],
  [/exchange/i, 'Exchange'],
  [
    /power apps|powerapps|power automate|flow|power pages|power virtual|ai builder|common data service|dataverse/i,
    'Power Platform',
  ],
  [/^windows/i, 'Windows'],
  [/sharepoint|onedrive|syntex/i, 'SharePoint and OneDrive'],
  [
    /defender|entra|azure active directory|intune|enterprise mobility|information protection|rights management|security|compliance|privacy|identit/i,
    'Security and compliance',
  ],
  [/viva/i, 'Viva'],
  [/stream|clipchamp/i, 'Stream and Clipchamp'],
];

// "E5 without Audio Conferencing", "E5 with Calling Minutes": a suite, whatever it leaves out.
const withoutVoiceOptions = (name: string) =>
  name.replace(/\bwith(out)? (audio conferencing|calling minutes)/gi, '');

export function familyOf(name: string): string {
  const own = withoutVoiceOptions(name);
  for (const [re, family] of FAMILIES) if (re.test(own)) return family;
  return 'Other';
}

const ADD_ON_NAME =
  /add-on|add on|addon|attach|add-in|extra features|suite features|audio conferencing|calling plan|domestic calling|international calling|calling minutes|communications credits|teams phone|phone system|teams premium|e5 security|e5 compliance|f5 security|f5 compliance|archiving for exchange online|extra file storage|\badditional\b|addnl|addl|capacity|^microsoft teams (eea|enterprise)$|copilot|multi-geo/i;

export function kindOf(name: string, part: string): 'base' | 'add-on' {
  return ADD_ON_NAME.test(withoutVoiceOptions(name)) || /ADDON|_ATTACH|ADD_ON/i.test(part)
    ? 'add-on'
    : 'base';
}

interface Facts {
  product: ClassifiableProduct;
  segment: Segment;
  purpose: Purpose;
  family: string;
  kind: 'base' | 'add-on';
  plans: Set<string>;
}

/**
 * Which bases an add-on needs, as predicates over the classified bases (the same segment always,
 * for people always). A rule answers undefined when it does not know the add-on: then it needs
 * any base, unless the override file says otherwise.
 */
function requirementRule(a: Facts): ((b: Facts) => boolean) | undefined {
  const name = a.product.name;
  const carries = (b: Facts, re: RegExp) => [...b.plans].some((p) => re.test(p));
  const suite = (b: Facts) =>
    ['Microsoft 365 Business', 'Microsoft 365 Enterprise', 'Office 365', 'Frontline'].includes(b.family);
  if (/^microsoft teams (eea|enterprise)/i.test(name))
    return (b) => /\(no teams\)/i.test(b.product.name) && suite(b);
  if (/copilot/i.test(name)) return (b) => suite(b);
  if (/audio conferencing|calling|teams phone|phone system|teams premium|communications credits/i.test(name))
    return (b) => b.plans.has('TEAMS1') || b.plans.has('TEAMS_GOV');
  if (/e5 (security|compliance)|e3 extra features|e5 suite features/i.test(name))
    return (b) => b.family === 'Microsoft 365 Enterprise' && /\bE3\b/.test(b.product.name);
  if (/f5 (security|compliance)/i.test(name)) return (b) => b.family === 'Frontline';
  if (/archiving for exchange online/i.test(name))
    return (b) => b.plans.has('EXCHANGE_S_STANDARD') || b.plans.has('EXCHANGE_S_ESSENTIALS');
  if (/extra file storage/i.test(name)) return (b) => carries(b, /^SHAREPOINT(STANDARD|ENTERPRISE)/);
  if (/premium per user add-on/i.test(name)) return (b) => carries(b, /^BI_AZURE_P(_)?2/);
  if (/dynamics 365/i.test(name) && /attach/i.test(name)) return (b) => b.family === 'Dynamics 365';
  return undefined;
}

/**
 * Classifies every product of a catalog at once: an add-on's bases are other products, so the
 * rules need them all. Overrides (by part number) apply last and win.
 */
export function classifyProducts(
  products: readonly ClassifiableProduct[],
  overrides: readonly ClassOverride[] = [],
): Map<string, ProductClass> {
  const byPart = new Map(overrides.map((o) => [o.skuPartNumber.toUpperCase(), o]));
  const facts: Facts[] = products.map((product) => {
    const o = byPart.get(product.skuPartNumber.toUpperCase());
    return {
      product,
      segment: o?.segment ?? segmentOf(product.name, product.skuPartNumber),
      purpose: o?.purpose ?? purposeOf(product.name, product.skuPartNumber),
      family: o?.family ?? familyOf(product.name),
      kind: o?.kind ?? kindOf(product.name, product.skuPartNumber),
      plans: new Set(product.servicePlans.map((p) => normalizePlanName(p.name))),
    };
  });
  const skuOfPart = new Map(products.map((p) => [p.skuPartNumber.toUpperCase(), p.skuId]));
  const bases = facts.filter((f) => f.kind === 'base' && f.purpose === 'user');
  const out = new Map<string, ProductClass>();
  for (const f of facts) {
    const o = byPart.get(f.product.skuPartNumber.toUpperCase());
    let requires: string[] = [];
    if (f.kind === 'add-on') {
      if (o?.requires) {
        requires = o.requires.map((p) => skuOfPart.get(p.toUpperCase())).filter((s): s is string => !!s);
      } else {
        const rule = requirementRule(f);
        if (rule)
          requires = bases.filter((b) => b.segment === f.segment && rule(b)).map((b) => b.product.skuId);
      }
    }
    const capped =
      f.family === 'Microsoft 365 Business' || /apps for business|teams essentials/i.test(f.product.name);
    out.set(f.product.skuId, {
      segment: f.segment,
      purpose: f.purpose,
      family: f.family,
      kind: f.kind,
      requiresBaseSkuIds: [...new Set(requires)].sort(),
      maxSeats: o?.maxSeats !== undefined ? o.maxSeats : capped ? BUSINESS_SEAT_CAP : null,
      refundWindowHours: f.purpose === 'trial' || f.purpose === 'free' ? 0 : NEW_COMMERCE_REFUND_HOURS,
    });
  }
  return out;
}

/** One product alone (an operator's SKU, or a row stored before classes were): no add-on bases. */
export function classifyProduct(product: ClassifiableProduct): ProductClass {
  return classifyProducts([product]).get(product.skuId)!;
}

/** Parses the override file's rows (csv-parse with `columns: true`); bad values are reported. */
export function parseClassOverrides(rows: readonly Record<string, string | undefined>[]): {
  overrides: ClassOverride[];
  problems: { row: number; field: string }[];
} {
  const overrides: ClassOverride[] = [];
  const problems: { row: number; field: string }[] = [];
  rows.forEach((r, row) => {
    const part = (r.String_Id ?? '').replace(/\s+/g, '');
    const get = (k: string) => (r[k] ?? '').trim();
    if (!part) {
      problems.push({ row, field: 'String_Id' });
      return;
    }
    const o: ClassOverride = { skuPartNumber: part, reason: get('reason') };
    const segment = get('segment');
    if (segment) {
      if ((SEGMENTS as readonly string[]).includes(segment)) o.segment = segment as Segment;
      else problems.push({ row, field: 'segment' });
    }
    const purpose = get('purpose');
    if (purpose) {
      if ((PURPOSES as readonly string[]).includes(purpose)) o.purpose = purpose as Purpose;
      else problems.push({ row, field: 'purpose' });
    }
    if (get('family')) o.family = get('family');
    const kind = get('kind');
    if (kind) {
      if (kind === 'base' || kind === 'add-on') o.kind = kind;
      else problems.push({ row, field: 'kind' });
    }
    if (get('requires')) o.requires = get('requires').split(/\s+/);
    const seats = get('max_seats');
    if (seats) {
      if (seats === 'none') o.maxSeats = null;
      else if (/^\d+$/.test(seats)) o.maxSeats = Number(seats);
      else problems.push({ row, field: 'max_seats' });
    }
    if (!o.reason) problems.push({ row, field: 'reason' });
    overrides.push(o);
  });
  return { overrides, problems };
}

/**
 * A service plan's class inside one product: the same plan name can mean less in some products.
 *  - Microsoft 365 F1 and the standalone Teams offers carry the Kiosk mailbox plan without mailbox
 *    rights (a calendar for Teams and Shifts only): no mailbox.
 *  - Inside Project and Dynamics 365 SKUs, SharePoint is the app's document storage (the Project
 *    Online site), not the user's files.
 *  - A Dynamics 365 app's own plan holds that app's records: covered only by the same app.
 */
export function classifyPlanInProduct(
  product: { name: string; family: string },
  planName: string,
): PlanClass {
  const c = classifyServicePlan(planName);
  const key = normalizePlanName(planName);
  const noMailboxRights =
    /^microsoft 365 f1\b/i.test(product.name) ||
    (product.family === 'Teams' && /^microsoft teams (eea|enterprise)/i.test(product.name));
  if (c.workload === 'mailbox' && noMailboxRights)
    return { workload: 'feature', tier: 0, holdsUserData: false };
  const appFamily = product.family === 'Project' || product.family === 'Dynamics 365';
  if (c.workload === 'files' && appFamily && key.startsWith('SHAREPOINT'))
    return { workload: 'feature', tier: 0, holdsUserData: false };
  if (product.family === 'Dynamics 365' && /^(DYN365|D365)_/.test(key) && !/CDS|_TEAM_?MEMBERS?/.test(key))
    return { workload: 'app', tier: 1, holdsUserData: true };
  return c;
}

/** A product's service plans classified inside it (see `classifyPlanInProduct`). */
export function plansInProduct<P extends { id: string; name: string }>(
  product: { name: string; family: string },
  plans: readonly P[],
): (P & PlanClass)[] {
  return plans.map((p) => {
    const c = classifyPlanInProduct(product, p.name);
    const { quotaLabel: _drop, ...rest } = p as P & { quotaLabel?: string };
    return { ...(rest as P), ...c };
  });
}

/**
 * May a target replace a source for people (SPEC §3.1)? Only an offer of the source's segment
 * (education offers need academic eligibility, government ones a government tenant) whose purpose
 * is `user`: never an unattended, device, developer, trial or free SKU.
 */
export function mayReplace(
  source: { segment?: Segment | undefined },
  target: { segment?: Segment | undefined; purpose?: Purpose | undefined },
): boolean {
  return (
    (target.segment ?? 'commercial') === (source.segment ?? 'commercial') &&
    (target.purpose ?? 'user') === 'user'
  );
}
