import { describe, expect, it } from 'vitest';
import { classes, classOf, classOverrides, product, reference } from '../../../test/fixtures/reference.ts';
import { classifyProducts, PURPOSES, parseClassOverrides, SEGMENTS } from './classify.ts';

/**
 * The class of every product a partner would recognise by name, pinned (SPEC §11). A change to the
 * rules or to data/catalog-classes.csv that moves one of them fails here, by name.
 */
type Row = [
  part: string,
  segment: string,
  purpose: string,
  family: string,
  kind: string,
  maxSeats: number | null,
];
const PINNED: Row[] = [
  ['O365_BUSINESS_ESSENTIALS', 'commercial', 'user', 'Microsoft 365 Business', 'base', 300],
  ['O365_BUSINESS_PREMIUM', 'commercial', 'user', 'Microsoft 365 Business', 'base', 300],
  ['SPB', 'commercial', 'user', 'Microsoft 365 Business', 'base', 300],
  [
    'Microsoft_365_Business_Basic_EEA_(no_Teams)',
    'commercial',
    'user',
    'Microsoft 365 Business',
    'base',
    300,
  ],
  ['MICROSOFT_365_BUSINESS_STANDARD_NO_TEAMS', 'commercial', 'user', 'Microsoft 365 Business', 'base', 300],
  [
    'Office_365_w/o_Teams_Bundle_Business_Premium',
    'commercial',
    'user',
    'Microsoft 365 Business',
    'base',
    300,
  ],
  [
    'Microsoft_365_Business_Premium_Donation_(Non_Profit_Pricing)',
    'nonprofit',
    'user',
    'Microsoft 365 Business',
    'base',
    300,
  ],
  ['STANDARDPACK', 'commercial', 'user', 'Office 365', 'base', null],
  ['ENTERPRISEPACK', 'commercial', 'user', 'Office 365', 'base', null],
  ['ENTERPRISEPREMIUM', 'commercial', 'user', 'Office 365', 'base', null],
  ['Office_365_w/o_Teams_Bundle_E1', 'commercial', 'user', 'Office 365', 'base', null],
  ['O365_w/o_Teams_Bundle_E3', 'commercial', 'user', 'Office 365', 'base', null],
  ['Office_365_w/o_Teams_Bundle_E5', 'commercial', 'user', 'Office 365', 'base', null],
  ['Office_365_E3_(no_Teams)', 'commercial', 'user', 'Office 365', 'base', null],
  ['ENTERPRISEPREMIUM_NOPSTNCONF', 'commercial', 'user', 'Office 365', 'base', null],
  ['SPE_E3', 'commercial', 'user', 'Microsoft 365 Enterprise', 'base', null],
  ['SPE_E5', 'commercial', 'user', 'Microsoft 365 Enterprise', 'base', null],
  ['Microsoft_365_E3_(no_Teams)', 'commercial', 'user', 'Microsoft 365 Enterprise', 'base', null],
  ['O365_w/oTeamsBundle_M3', 'commercial', 'user', 'Microsoft 365 Enterprise', 'base', null],
  ['O365_w/o_Teams_Bundle_M5', 'commercial', 'user', 'Microsoft 365 Enterprise', 'base', null],
  ['SPE_E5_NOPSTNCONF', 'commercial', 'user', 'Microsoft 365 Enterprise', 'base', null],
  ['M365_F1_COMM', 'commercial', 'user', 'Frontline', 'base', null],
  ['SPE_F1', 'commercial', 'user', 'Frontline', 'base', null],
  ['DESKLESSPACK', 'commercial', 'user', 'Frontline', 'base', null],
  ['Microsoft_365_F1_EEA_(no_Teams)', 'commercial', 'user', 'Frontline', 'base', null],
  ['Microsoft_Teams_EEA_New', 'commercial', 'user', 'Teams', 'add-on', null],
  ['Teams_Ess', 'commercial', 'user', 'Teams', 'base', 300],
  ['TEAMS_FREE', 'commercial', 'free', 'Teams', 'base', null],
  ['TEAMS_EXPLORATORY', 'commercial', 'trial', 'Teams', 'base', null],
  ['MCOEV', 'commercial', 'user', 'Teams', 'add-on', null],
  ['MCOMEETADV', 'commercial', 'user', 'Teams', 'add-on', null],
  ['Microsoft_Teams_Rooms_Pro', 'commercial', 'device', 'Teams', 'base', null],
  ['BUSINESS_VOICE_MED2', 'commercial', 'user', 'Teams', 'add-on', 300],
  ['EXCHANGESTANDARD', 'commercial', 'user', 'Exchange', 'base', null],
  ['EXCHANGEENTERPRISE', 'commercial', 'user', 'Exchange', 'base', null],
  ['EXCHANGEDESKLESS', 'commercial', 'user', 'Exchange', 'base', null],
  ['EXCHANGE_S_ESSENTIALS', 'commercial', 'user', 'Exchange', 'base', null],
  ['EXCHANGEARCHIVE_ADDON', 'commercial', 'user', 'Exchange', 'add-on', null],
  ['PROJECT_P1', 'commercial', 'user', 'Project', 'base', null],
  ['PROJECTPROFESSIONAL', 'commercial', 'user', 'Project', 'base', null],
  ['PROJECTPREMIUM', 'commercial', 'user', 'Project', 'base', null],
  ['VISIOONLINE_PLAN1', 'commercial', 'user', 'Visio', 'base', null],
  ['VISIOCLIENT', 'commercial', 'user', 'Visio', 'base', null],
  ['POWER_BI_PRO', 'commercial', 'user', 'Power BI', 'base', null],
  ['PBI_PREMIUM_PER_USER', 'commercial', 'user', 'Power BI', 'base', null],
  ['POWER_BI_STANDARD', 'commercial', 'free', 'Power BI', 'base', null],
  ['PBI_PREMIUM_PER_USER_ADDON', 'commercial', 'user', 'Power BI', 'add-on', null],
  ['CPC_E_2C_8GB_256GB', 'commercial', 'user', 'Windows 365', 'base', null],
  ['CPC_B_2C_4RAM_64GB', 'commercial', 'user', 'Windows 365', 'base', null],
  ['Windows_365_S_2vCPU_4GB_128GB', 'commercial', 'device', 'Windows 365', 'base', null],
  ['Microsoft_365_Copilot', 'commercial', 'user', 'Copilot', 'add-on', null],
  ['Microsoft_365_Copilot_EDU', 'education', 'user', 'Copilot', 'add-on', null],
  ['M365EDU_A3_FACULTY', 'education', 'user', 'Microsoft 365 Enterprise', 'base', null],
  ['M365EDU_A3_STUDENT', 'education', 'user', 'Microsoft 365 Enterprise', 'base', null],
  ['M365EDU_A5_FACULTY', 'education', 'user', 'Microsoft 365 Enterprise', 'base', null],
  ['STANDARDWOFFPACK_FACULTY', 'education', 'user', 'Office 365', 'base', null],
  ['STANDARDWOFFPACK_STUDENT', 'education', 'user', 'Office 365', 'base', null],
  ['ENTERPRISEPACKPLUS_STUDENT', 'education', 'user', 'Office 365', 'base', null],
  ['ENTERPRISEPACK_GOV', 'government', 'user', 'Office 365', 'base', null],
  ['STANDARDPACK_GOV', 'government', 'user', 'Office 365', 'base', null],
  ['M365_G5_GCC', 'government', 'user', 'Microsoft 365 Enterprise', 'base', null],
  ['SPE_E3_USGOV_GCCHIGH', 'government', 'user', 'Microsoft 365 Enterprise', 'base', null],
  ['SPE_E3_RPA1', 'commercial', 'unattended', 'Microsoft 365 Enterprise', 'base', null],
  [
    'Microsoft_365_E3_EEA_(no_Teams)_Unattended_License',
    'commercial',
    'unattended',
    'Microsoft 365 Enterprise',
    'base',
    null,
  ],
  ['DEVELOPERPACK', 'commercial', 'developer', 'Office 365', 'base', null],
  ['DEVELOPERPACK_E5', 'commercial', 'developer', 'Microsoft 365 Enterprise', 'base', null],
  ['O365_BUSINESS', 'commercial', 'user', 'Microsoft 365 Apps', 'base', 300],
  ['OFFICESUBSCRIPTION', 'commercial', 'user', 'Microsoft 365 Apps', 'base', null],
  ['WIN10_VDA_E3', 'commercial', 'user', 'Windows', 'base', null],
  ['D365_SALES_PRO', 'commercial', 'user', 'Dynamics 365', 'base', null],
  ['DYN365_BUSCENTRAL_ESSENTIAL', 'commercial', 'user', 'Dynamics 365', 'base', null],
];

describe('product classes, on the whole reference', () => {
  it('pins at least 60 products a partner recognises', () => {
    expect(PINNED.length).toBeGreaterThanOrEqual(60);
    for (const [part, segment, purpose, family, kind, maxSeats] of PINNED) {
      const c = classOf(part);
      expect({
        part,
        segment: c.segment,
        purpose: c.purpose,
        family: c.family,
        kind: c.kind,
        maxSeats: c.maxSeats,
      }).toEqual({
        part,
        segment,
        purpose,
        family,
        kind,
        maxSeats,
      });
    }
  });

  it('classifies every product, with the new-commerce 7-day window for what is paid', () => {
    const all = reference().products;
    expect(all.length).toBeGreaterThan(560);
    expect(classes().size).toBe(all.length);
    for (const p of all) {
      const c = classes().get(p.skuId)!;
      expect(SEGMENTS).toContain(c.segment);
      expect(PURPOSES).toContain(c.purpose);
      expect(c.family.length).toBeGreaterThan(0);
      expect(c.refundWindowHours).toBe(c.purpose === 'trial' || c.purpose === 'free' ? 0 : 168);
      if (c.kind === 'base') expect(c.requiresBaseSkuIds).toEqual([]);
    }
  });

  it('gives add-ons the bases they need: Teams EEA on the no-Teams suites, Copilot on suites, archiving on Plan 1 mailboxes', () => {
    const teams = classOf('Microsoft_Teams_EEA_New').requiresBaseSkuIds;
    expect(teams).toContain(product('Office_365_w/o_Teams_Bundle_E1').skuId);
    expect(teams).toContain(product('O365_w/oTeamsBundle_M3').skuId);
    expect(teams).not.toContain(product('STANDARDPACK').skuId);
    expect(teams).not.toContain(product('SPE_E3_RPA1').skuId);
    const copilot = classOf('Microsoft_365_Copilot').requiresBaseSkuIds;
    expect(copilot).toEqual(expect.arrayContaining([product('SPE_E3').skuId, product('SPB').skuId]));
    expect(copilot).not.toContain(product('M365EDU_A3_FACULTY').skuId);
    expect(classOf('Microsoft_365_Copilot_EDU').requiresBaseSkuIds).toContain(
      product('M365EDU_A3_FACULTY').skuId,
    );
    expect(classOf('EXCHANGEARCHIVE_ADDON').requiresBaseSkuIds).toContain(product('EXCHANGESTANDARD').skuId);
    expect(classOf('EXCHANGEARCHIVE_ADDON').requiresBaseSkuIds).not.toContain(
      product('EXCHANGEENTERPRISE').skuId,
    );
  });

  it('applies the reviewed override file, and every override still changes something the rules say', () => {
    const { overrides, problems } = classOverrides();
    expect(problems).toEqual([]);
    expect(overrides.length).toBeGreaterThan(0);
    const rulesOnly = classifyProducts(reference().products);
    for (const o of overrides) {
      const p = reference().products.find((x) => x.skuPartNumber === o.skuPartNumber);
      expect(p, o.skuPartNumber).toBeDefined();
      expect(o.reason.length).toBeGreaterThan(10);
    }
    // Without the file, the E5 developer suite would read as a Teams voice add-on.
    expect(rulesOnly.get(product('DEVELOPERPACK_E5').skuId)).toMatchObject({
      family: 'Teams',
      kind: 'add-on',
    });
    expect(classOf('BUSINESS_VOICE_MED2').requiresBaseSkuIds).toEqual(
      [
        product('SPB').skuId,
        product('O365_BUSINESS_PREMIUM').skuId,
        product('O365_BUSINESS_ESSENTIALS').skuId,
      ].sort(),
    );
  });

  it('reports bad override rows instead of guessing', () => {
    const { problems } = parseClassOverrides([
      { String_Id: 'SPB', segment: 'retail', reason: 'a typo' },
      { String_Id: '', reason: 'no part number' },
      { String_Id: 'SPB', max_seats: 'lots', reason: 'not a number' },
      { String_Id: 'SPB', purpose: 'user' },
    ]);
    expect(problems).toEqual([
      { row: 0, field: 'segment' },
      { row: 1, field: 'String_Id' },
      { row: 2, field: 'max_seats' },
      { row: 3, field: 'reason' },
    ]);
  });
});
