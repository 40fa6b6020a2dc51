import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { reference } from '../../../test/fixtures/reference.ts';
import {
  classifyServicePlan,
  DATA_WORKLOADS,
  impliedWorkloads,
  isDataWorkload,
  normalizePlanName,
  quotaLabel,
  WORKLOADS,
} from './workloads.ts';

const t = (name: string) => classifyServicePlan(name);
const csvPlanNames = () => [...new Set(reference().rows.map((r) => r.Service_Plan_Name))];

describe('the workload table, against the real reference CSV', () => {
  it('classifies every service plan name of the CSV, and only data workloads hold data', () => {
    const names = csvPlanNames();
    expect(names.length).toBeGreaterThan(700);
    const counts = new Map<string, number>();
    for (const n of names) {
      const c = classifyServicePlan(n);
      expect(WORKLOADS).toContain(c.workload);
      expect(c.holdsUserData).toBe(c.workload !== 'feature');
      expect(c.tier).toBeGreaterThanOrEqual(0);
      counts.set(c.workload, (counts.get(c.workload) ?? 0) + 1);
    }
    // A Dynamics app's records are classified inside their product (classify.ts), never by name alone.
    for (const w of DATA_WORKLOADS.filter((x) => x !== 'app'))
      expect(counts.get(w), `some plan is ${w}`).toBeGreaterThan(0);
    const dataHolding = names.filter((n) => t(n).holdsUserData);
    expect(dataHolding.length).toBeGreaterThan(40);
    expect(counts.get('feature')).toBeGreaterThan(500);
  });

  it('gives the SPEC named plans their workloads, tiers and quotas', () => {
    expect(
      [t('EXCHANGE_S_DESKLESS'), t('EXCHANGE_S_STANDARD'), t('EXCHANGE_S_ENTERPRISE')].map((c) => [
        c.workload,
        c.tier,
        c.quotaLabel,
      ]),
    ).toEqual([
      ['mailbox', 1, '2 GB'],
      ['mailbox', 2, '50 GB'],
      ['mailbox', 3, '100 GB'],
    ]);
    const files = [t('SHAREPOINTDESKLESS'), t('SHAREPOINTSTANDARD'), t('SHAREPOINTENTERPRISE')];
    expect(files.map((c) => c.workload)).toEqual(['files', 'files', 'files']);
    expect(files.map((c) => c.tier)).toEqual([1, 2, 3]);
    expect(t('ONEDRIVE_BASIC').tier).toBeLessThan(t('ONEDRIVESTANDARD').tier);
    expect(t('ONEDRIVESTANDARD').tier).toBeLessThan(t('ONEDRIVEENTERPRISE').tier);
    expect(t('TEAMS1').workload).toBe('chat');
    expect(t('YAMMER_ENTERPRISE').workload).toBe('community');
    // Retired or not a user's data (SPEC §11): classic Stream, whiteboards (files), Loop, Bookings.
    expect(t('STREAM_O365_E3').workload).toBe('feature');
    expect(t('PROJECTWORKMANAGEMENT').workload).toBe('tasks');
    expect(t('BPOS_S_TODO_2').workload).toBe('tasks');
    expect(t('FORMS_PLAN_E3').workload).toBe('forms');
    expect(t('OFFICE_FORMS_PLAN_2').workload).toBe('forms');
    expect(t('SHAREPOINT_PROJECT').workload).toBe('project');
    expect(t('WHITEBOARD_PLAN2').workload).toBe('feature');
    expect(t('MICROSOFT_LOOP').workload).toBe('feature');
    expect(t('MICROSOFTBOOKINGS').workload).toBe('feature');
    expect(t('CPC_E_2C_8GB_256GB').workload).toBe('cloudpc');
  });

  it('keeps look-alikes out of the data workloads', () => {
    for (const n of [
      'EXCHANGE_S_FOUNDATION',
      'EXCHANGE_S_FOUNDATION_GOV',
      'EXCHANGE_ANALYTICS',
      'EXCHANGEONLINE_MULTIGEO',
      'SHAREPOINTWAC',
      'SHAREPOINTSTORAGE',
      'SHAREPOINTONLINE_MULTIGEO',
      'STREAM_STORAGE',
      'MCOSTANDARD',
      'MCOEV',
      'MCOMEETADV',
      'TEAMSPRO_WEBINAR',
      'TEAMSMULTIGEO',
      'Teams_Room_Pro',
      'PROJECT_CLIENT_SUBSCRIPTION',
      'Forms_Pro_USL',
    ]) {
      expect(t(n), n).toEqual({ workload: 'feature', tier: 0, holdsUserData: false });
    }
  });

  it('puts every EXCHANGE_S_ARCHIVE* of the CSV in archive, every YAMMER_* in community, no STREAM_O365_* in data', () => {
    const names = csvPlanNames().map(normalizePlanName);
    const archive = names.filter((n) => n.startsWith('EXCHANGE_S_ARCHIVE'));
    expect(archive.length).toBeGreaterThanOrEqual(2);
    for (const n of archive) expect(t(n).workload).toBe('archive');
    for (const n of names.filter((x) => x.startsWith('YAMMER_'))) expect(t(n).workload).toBe('community');
    for (const n of names.filter((x) => x.startsWith('STREAM_O365_'))) expect(t(n).workload).toBe('feature');
    for (const n of names.filter((x) => x.startsWith('WHITEBOARD_'))) expect(t(n).workload).toBe('feature');
    for (const n of names.filter((x) => x.startsWith('FORMS_PLAN_'))) expect(t(n).workload).toBe('forms');
  });

  it('knows every mailbox plan of the CSV by name (no EXCHANGE_S_* mailbox falls through to a feature)', () => {
    const mailboxes = csvPlanNames()
      .map(normalizePlanName)
      .filter((n) => t(n).workload === 'mailbox')
      .sort();
    expect(mailboxes).toEqual([
      'EXCHANGE_B_STANDARD',
      'EXCHANGE_L_STANDARD',
      'EXCHANGE_S_DESKLESS',
      'EXCHANGE_S_DESKLESS_GOV',
      'EXCHANGE_S_ENTERPRISE',
      'EXCHANGE_S_ENTERPRISE_GOV',
      'EXCHANGE_S_ESSENTIALS',
      'EXCHANGE_S_STANDARD',
      'EXCHANGE_S_STANDARD_GOV',
      'EXCHANGE_S_STANDARD_MIDMARKET',
    ]);
  });

  it('counts only the Teams service itself as chat', () => {
    const chat = csvPlanNames()
      .map(normalizePlanName)
      .filter((n) => t(n).workload === 'chat')
      .sort();
    expect(chat).toEqual([
      'MCO_TEAMS_IW',
      'TEAMS1',
      'TEAMSESS',
      'TEAMS_AR_DOD',
      'TEAMS_AR_GCCHIGH',
      'TEAMS_FREE',
      'TEAMS_GOV',
    ]);
  });

  it('reads names with stray spaces and any case', () => {
    expect(t(' exchange_s_enterprise ')).toMatchObject({ workload: 'mailbox', tier: 3 });
    expect(t('ATP_ENTERPRISE ').workload).toBe('feature');
    expect(t('EXCHANGE_S_ENTERPRISE_NEWREGION')).toMatchObject({ workload: 'mailbox', tier: 3 });
  });

  it('names the quota for mailbox and archive tiers only', () => {
    expect(quotaLabel('mailbox', 2)).toBe('50 GB');
    expect(quotaLabel('files', 2)).toBeUndefined();
  });

  it('implies the archive on every mailbox but the Kiosk one: 50 GB with Plan 1, auto-expanding with Plan 2', () => {
    expect(impliedWorkloads('mailbox', 3)).toEqual([{ workload: 'archive', tier: 2 }]);
    expect(impliedWorkloads('mailbox', 2)).toEqual([{ workload: 'archive', tier: 1 }]);
    expect(impliedWorkloads('mailbox', 1)).toEqual([]);
    expect(quotaLabel('archive', 1)).toBe('50 GB');
    expect(quotaLabel('archive', 2)).toBe('1.5 TB');
  });

  it('never throws, and a plan holds data exactly when its workload is a data workload', () => {
    fc.assert(
      fc.property(fc.string(), (name) => {
        const c = classifyServicePlan(name);
        expect(c.holdsUserData).toBe(isDataWorkload(c.workload));
      }),
    );
  });
});
