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
  'video',
  'tasks',
  'forms',
  'project',
  'whiteboard',
  'loop',
  'bookings',
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

export interface PlanClass {
  workload: Workload;
  tier: number;
  holdsUserData: boolean;
  quotaLabel?: string;
}

const MAILBOX_QUOTA: Record<number, string> = { 1: '2 GB', 2: '50 GB', 3: '100 GB' };

/** The quota a tier stands for, where the vendor publishes one (mailbox only). */
export function quotaLabel(workload: string, tier: number): string | undefined {
  return workload === 'mailbox' ? MAILBOX_QUOTA[tier] : undefined;
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

  // Video: Stream (classic) as well as Stream on SharePoint.
  MICROSOFTSTREAM: ['video', 1],

  // Tasks: Planner holds shared plans; To Do only a user's own lists, so it ranks below Planner.
  PROJECTWORKMANAGEMENT: ['tasks', 2],
  PROJECTWORKMANAGEMENT_GOV: ['tasks', 2],

  // Project Online stores its projects in a SharePoint site collection of its own.
  'PROJECT ONLINE FOR EDUCATION': ['project', 1],

  MICROSOFTBOOKINGS: ['bookings', 1],
};

/** Prefix rules for families the vendor keeps extending (new _GOV, _EDU and plan-number variants). */
const PREFIX: [string, Exclude<Workload, 'feature'>, number][] = [
  ['EXCHANGE_S_ARCHIVE', 'archive', 1],
  ['YAMMER_', 'community', 1],
  ['BPOS_S_TODO_', 'tasks', 1],
  ['FORMS_PLAN_', 'forms', 1],
  ['OFFICE_FORMS_', 'forms', 1],
  ['FORMS_GOV_', 'forms', 1],
  ['SHAREPOINT_PROJECT', 'project', 1],
  ['WHITEBOARD_', 'whiteboard', 1],
];

/** Names that look like a data family but are tenant capacity or add-on features. */
const NOT_DATA = new Set(['STREAM_STORAGE']);

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
  if (NOT_DATA.has(key)) return { workload: 'feature', tier: 0, holdsUserData: false };
  const exact = EXACT[key];
  if (exact) return dataPlan(exact[0], exact[1]);
  for (const [prefix, workload, tier] of PREFIX) if (key.startsWith(prefix)) return dataPlan(workload, tier);
  if (key.startsWith('STREAM_')) return dataPlan('video', 1);
  if (key.includes('LOOP')) return dataPlan('loop', 1);
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
  return { workload: 'feature', tier: 0, holdsUserData: false };
}

/**
 * Data a plan carries besides its own workload. Exchange Online (Plan 2) includes the archive that
 * the other plans buy as an add-on, so Business Premium (Plan 1 + archiving) → E3 loses nothing.
 */
export function impliedWorkloads(workload: string, tier: number): { workload: Workload; tier: number }[] {
  return workload === 'mailbox' && tier >= 3 ? [{ workload: 'archive', tier: 1 }] : [];
}
