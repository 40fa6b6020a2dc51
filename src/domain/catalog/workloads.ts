/**
 * The one table that says what every service plan is for. Equivalence compares offers by workload
 * and tier, never by raw plan ids: two suites that differ in a handful of ids (new Teams add-ons,
 * renamed analytics plans) still hold the same user data.
 *
 * Tiers order plans inside a workload; they only matter where the vendor sells plans of different
 * size for the same data (mailbox quota, file storage, Planner vs To Do). Elsewhere every plan is
 * tier 1, so that E5 → E3 does not ask for an acknowledgment over differences that are features.
 */
export const WORKLOADS = [
  'mailbox',
  'archive',
  'files',
  'chat',
  'community',
  'tasks',
  'forms',
  'project',
  'cloudpc',
  'app',
  'feature',
] as const;
export type Workload = (typeof WORKLOADS)[number];

/** The workloads that hold user data: losing one of them loses data. */
export const DATA_WORKLOADS: readonly Exclude<Workload, 'feature'>[] = WORKLOADS.filter(
  (w): w is Exclude<Workload, 'feature'> => w !== 'feature',
);

export function isDataWorkload(workload: string): workload is Exclude<Workload, 'feature'> {
  return workload !== 'feature' && (WORKLOADS as readonly string[]).includes(workload);
}

/**
 * Workloads whose data belongs to one plan, not to a size of a kind: a Cloud PC's disk lives on the
 * Cloud PC that its own plan provisions (another Windows 365 plan deprovisions it), and a Dynamics
 * app's records live in that app. They are covered only by a target carrying the same plan.
 */
export const SAME_PLAN_WORKLOADS: ReadonlySet<string> = new Set(['cloudpc', 'app']);

export interface PlanClass {
  workload: Workload;
  tier: number;
  holdsUserData: boolean;
  quotaLabel?: string;
}

const QUOTAS: Record<string, Record<number, string>> = {
  mailbox: { 1: '2 GB', 2: '50 GB', 3: '100 GB' },
  // Plan 1 mailboxes carry a 50 GB archive; Plan 2 and Exchange Online Archiving an auto-expanding one.
  archive: { 1: '50 GB', 2: '1.5 TB' },
};

/** The quota a tier stands for, where the vendor publishes one (mailbox and archive). */
export function quotaLabel(workload: string, tier: number): string | undefined {
  return QUOTAS[workload]?.[tier];
}

/**
 * Exact names first: some data plans have names that a prefix rule would misread
 * (EXCHANGE_S_FOUNDATION is a feature every product carries; SHAREPOINTWAC is Office for the web).
 */
const EXACT: Record<string, [Exclude<Workload, 'feature'>, number]> = {
  // Mailbox: Kiosk (2 GB) < Plan 1 and its small-business and government twins (50 GB) < Plan 2 (100 GB).
  EXCHANGE_S_DESKLESS: ['mailbox', 1],
  EXCHANGE_S_DESKLESS_GOV: ['mailbox', 1],
  EXCHANGE_S_STANDARD: ['mailbox', 2],
  EXCHANGE_S_STANDARD_GOV: ['mailbox', 2],
  EXCHANGE_S_STANDARD_MIDMARKET: ['mailbox', 2],
  EXCHANGE_S_ESSENTIALS: ['mailbox', 2],
  EXCHANGE_L_STANDARD: ['mailbox', 2],
  EXCHANGE_S_ENTERPRISE: ['mailbox', 3],
  EXCHANGE_S_ENTERPRISE_GOV: ['mailbox', 3],
  // A POP-only telco mailbox: ranked with the smallest, as it is never a safe target for a real one.
  EXCHANGE_B_STANDARD: ['mailbox', 1],

  // Files: Kiosk and the basic OneDrives < Plan 1 (1 TB) < Plan 2 and developer.
  SHAREPOINTDESKLESS: ['files', 1],
  SHAREPOINTDESKLESS_GOV: ['files', 1],
  ONEDRIVE_BASIC: ['files', 1],
  ONEDRIVE_BASIC_GOV: ['files', 1],
  ONEDRIVE_BASIC_P2: ['files', 1],
  ONEDRIVELITE_IW: ['files', 1],
  ONEDRIVECLIPCHAMP: ['files', 1],
  SHAREPOINTSTANDARD: ['files', 2],
  SHAREPOINTSTANDARD_EDU: ['files', 2],
  SHAREPOINTLITE: ['files', 2],
  'SHAREPOINT PLAN 1G': ['files', 2],
  ONEDRIVESTANDARD: ['files', 2],
  SHAREPOINTENTERPRISE: ['files', 3],
  SHAREPOINTENTERPRISE_EDU: ['files', 3],
  SHAREPOINTENTERPRISE_GOV: ['files', 3],
  SHAREPOINTENTERPRISE_MIDMARKET: ['files', 3],
  SHAREPOINT_S_DEVELOPER: ['files', 3],
  ONEDRIVEENTERPRISE: ['files', 3],

  // Chat: the Teams service itself. Teams Phone, Audio Conferencing, Premium, Rooms and Multi-Geo are
  // features (MCO*, TEAMSPRO_*, Teams_Room*). MCO_TEAMS_IW is named like Skype but is "Microsoft
  // Teams" in the Exploratory and trial SKUs. TEAMS_DESKLESS is left a feature on purpose: the
  // reference lists it only inside "Microsoft 365 F3 EEA (no Teams)", and counting it as Teams would
  // let a no-Teams suite pass for one that keeps the chats.
  TEAMS1: ['chat', 1],
  TEAMS_GOV: ['chat', 1],
  TEAMS_AR_DOD: ['chat', 1],
  TEAMS_AR_GCCHIGH: ['chat', 1],
  TEAMS_FREE: ['chat', 1],
  TEAMSESS: ['chat', 1],
  MCO_TEAMS_IW: ['chat', 1],

  // Community: Yammer is now Viva Engage; its core plan carries the same communities.
  VIVAENGAGE_CORE: ['community', 1],

  // Tasks: Planner holds shared plans; To Do only a user's own lists, so it ranks below Planner.
  PROJECTWORKMANAGEMENT: ['tasks', 2],
  PROJECTWORKMANAGEMENT_GOV: ['tasks', 2],

  // Project Online stores its projects in a SharePoint site collection of its own.
  'PROJECT ONLINE FOR EDUCATION': ['project', 1],
};

/** Prefix rules for families the vendor keeps extending (new _GOV, _EDU and plan-number variants). */
const PREFIX: [string, Exclude<Workload, 'feature'>, number][] = [
  // Exchange Online Archiving: the auto-expanding archive, as Plan 2 includes it.
  ['EXCHANGE_S_ARCHIVE', 'archive', 2],
  ['YAMMER_', 'community', 1],
  ['BPOS_S_TODO_', 'tasks', 1],
  ['FORMS_PLAN_', 'forms', 1],
  ['OFFICE_FORMS_', 'forms', 1],
  ['FORMS_GOV_', 'forms', 1],
  ['SHAREPOINT_PROJECT', 'project', 1],
  // A Windows 365 plan provisions one Cloud PC; its disk is the user's.
  ['CPC_', 'cloudpc', 1],
];

/**
 * Plans that hold no user data of their own, although older tables counted them (SPEC §11):
 * Stream (classic) is retired (videos now live in OneDrive and SharePoint), Bookings keeps its
 * calendars in shared booking mailboxes, whiteboards are files in the owner's OneDrive, and Loop
 * workspaces are tenant containers (Loop components are files too).
 */
const NOT_DATA = new Set(['STREAM_STORAGE', 'MICROSOFTSTREAM', 'MICROSOFTBOOKINGS', 'MICROSOFT_LOOP']);
const NOT_DATA_PREFIX = ['STREAM_', 'WHITEBOARD_', 'LOOP'];

/** Plan names in the reference carry stray spaces, tabs and case differences. */
export function normalizePlanName(name: string): string {
  return name.trim().replace(/\s+/g, ' ').toUpperCase();
}

function dataPlan(workload: Exclude<Workload, 'feature'>, tier: number): PlanClass {
  const label = quotaLabel(workload, tier);
  return label === undefined
    ? { workload, tier, holdsUserData: true }
    : { workload, tier, holdsUserData: true, quotaLabel: label };
}

export function classifyServicePlan(name: string): PlanClass {
  const key = normalizePlanName(name);
  if (NOT_DATA.has(key) || NOT_DATA_PREFIX.some((p) => key.startsWith(p))) return FEATURE;
  const exact = EXACT[key];
  if (exact) return dataPlan(exact[0], exact[1]);
  for (const [prefix, workload, tier] of PREFIX) if (key.startsWith(prefix)) return dataPlan(workload, tier);
  // The POP mailbox aside, every mailbox the vendor sells is one of the three Exchange plans or a
  // regional variant of one: an unknown EXCHANGE_S_<PLAN>_<SUFFIX> takes its plan's tier.
  for (const [base, tier] of [
    ['EXCHANGE_S_DESKLESS_', 1],
    ['EXCHANGE_S_STANDARD_', 2],
    ['EXCHANGE_S_ENTERPRISE_', 3],
  ] as const) {
    if (key.startsWith(base)) return dataPlan('mailbox', tier);
  }
  if (key.startsWith('ONEDRIVE')) return dataPlan('files', 1);
  return FEATURE;
}

const FEATURE: PlanClass = { workload: 'feature', tier: 0, holdsUserData: false };

/**
 * Data a plan carries besides its own workload, on the source as on the target (SPEC §11):
 * every Plan 1 kind of mailbox comes with a 50 GB archive, Exchange Online (Plan 2) with the
 * auto-expanding one that the others buy as Exchange Online Archiving. So Business Premium
 * (Plan 1 + archiving) → Business Standard is a smaller archive, not a missing one, and
 * Business Premium → E3 loses nothing. A Kiosk mailbox has no archive.
 */
export function impliedWorkloads(workload: string, tier: number): { workload: Workload; tier: number }[] {
  if (workload !== 'mailbox') return [];
  return tier >= 3
    ? [{ workload: 'archive', tier: 2 }]
    : tier === 2
      ? [{ workload: 'archive', tier: 1 }]
      : [];
}

export type PaidCapability = 'voice' | 'security' | 'analytics';

/**
 * Paid capabilities a user relies on (SPEC §3.1): losing one keeps the data but needs an
 * acknowledgment that names it. Device management, Entra ID P1 and Windows are features: the
 * real program moves Microsoft 365 F3 → Office 365 F3 without asking.
 */
const PAID: [RegExp, PaidCapability, string][] = [
  [/^MCOEV(_|SMB|$)/, 'voice', 'Teams Phone'],
  [/^MCOMEETADV/, 'voice', 'Audio Conferencing'],
  [/^MCOMEETACPEA$/, 'voice', 'Audio Conferencing'],
  [/^MCOPSTN/, 'voice', 'Calling Plan'],
  [/^ATP_ENTERPRISE/, 'security', 'Defender for Office 365 (Plan 1)'],
  [/^THREAT_INTELLIGENCE(_GOV)?$/, 'security', 'Defender for Office 365 (Plan 2)'],
  [/^MDE_SMB$/, 'security', 'Defender for Business'],
  [/^MDE_LITE$/, 'security', 'Defender for Endpoint (Plan 1)'],
  [/^WINDEFATP$/, 'security', 'Defender for Endpoint (Plan 2)'],
  [/^ADALLOM_S_STANDALONE/, 'security', 'Defender for Cloud Apps'],
  [/^ATA$/, 'security', 'Defender for Identity'],
  [/^AAD_PREMIUM_P2$/, 'security', 'Entra ID P2'],
  [/^M365_ADVANCED_AUDITING$/, 'security', 'Audit (Premium), one-year retention'],
  [/^EQUIVIO_ANALYTICS/, 'security', 'eDiscovery (Premium)'],
  [/^BI_AZURE_P(_)?[12](_GOV)?$/, 'analytics', 'Power BI Pro'],
  [/^BI_AZURE_P3/, 'analytics', 'Power BI Premium Per User'],
];

export function paidCapability(name: string): { capability: PaidCapability; label: string } | undefined {
  const key = normalizePlanName(name);
  for (const [re, capability, label] of PAID) if (re.test(key)) return { capability, label };
  return undefined;
}

/**
 * Retired services: a plan for them is never a loss (Skype for Business Online, Kaizala, StaffHub,
 * Stream classic). The reference still lists them inside many suites.
 */
const RETIRED = [
  /^MCO(IMP|STANDARD|LITE|BASIC)(_|$)/,
  /^KAIZALA_/,
  /^DESKLESS$/,
  /^STREAM_O365_/,
  /^MICROSOFTSTREAM$/,
];

/** Plans every product carries (tenant plumbing): never listed as gained or lost. */
const PLUMBING = new Set(['EXCHANGE_S_FOUNDATION']);

/** A renamed or superseded plan → the plans that carry it on (SPEC §11: not a loss). */
const SUPERSEDED_BY: Record<string, string[]> = {
  OFFICE_BUSINESS: ['OFFICESUBSCRIPTION'],
  OFFICEMOBILE_SUBSCRIPTION: ['OFFICESUBSCRIPTION', 'OFFICE_BUSINESS'],
  INTUNE_SMBIZ: ['INTUNE_A'],
  INTUNE_O365: ['INTUNE_A'],
  AAD_SMB: ['AAD_PREMIUM'],
  WINBIZ: ['WIN10_PRO_ENT_SUB', 'WIN10_VDA_E3', 'WIN10_VDA_E5'],
  RMS_S_BASIC: ['RMS_S_ENTERPRISE'],
  ADALLOM_S_DISCOVERY: ['ADALLOM_S_STANDALONE'],
  MDE_LITE: ['WINDEFATP'],
  ATP_ENTERPRISE: ['THREAT_INTELLIGENCE'],
  BI_AZURE_P2: ['BI_AZURE_P3'],
  VISIOONLINE: ['VISIO_CLIENT_SUBSCRIPTION'],
};

/**
 * A feature plan's line, without the suffix that only says which suite carries it (`_P1`, `_E3`,
 * `_K`, `_SMB`, `_FIRSTLINE`, `_GOV`): PROJECT_O365_P3 in Business Premium and PROJECT_O365_P2 in E3
 * are the same Project for the web, renumbered per suite.
 */
export function featureLine(name: string): string {
  let key = normalizePlanName(name);
  for (;;) {
    const next = key
      .replace(/_(GOV|GCC|EDU|FACULTY|STUDENT|DOD|GCCHIGH)$/, '')
      .replace(/_(P|E|S|F|K|PLAN|PLAN_)?\d*$|_(K|SMB|FIRSTLINE\d*|IW|MIDMARKET)$/, '');
    if (next === key || next.length < 3) return key;
    key = next;
  }
}

export function isRetiredPlan(name: string): boolean {
  const key = normalizePlanName(name);
  return PLUMBING.has(key) || RETIRED.some((re) => re.test(key));
}

export function supersededBy(name: string): readonly string[] {
  return SUPERSEDED_BY[normalizePlanName(name)] ?? [];
}
