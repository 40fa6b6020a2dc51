import { join } from 'node:path';
import { recordAudit } from '../modules/audit/audit.service.ts';
import { importUsage, recordOwnAzureSubscription } from '../modules/azure/index.ts';
import { replacePriceRules } from '../modules/billing/price-rules.repo.ts';
import {
  readClassOverrides,
  readReferenceFile,
  seedDemoCatalog,
} from '../modules/catalog/catalog.service.ts';
import { createSecurityGroup } from '../modules/delegated-admin/security-groups.service.ts';
import { assignedSeatsBySku, assignSkuToUsers, updateUserLicenses } from '../modules/licenses/index.ts';
import { addPartnerUser, createPartner, linkIndirectReseller } from '../modules/partners/partners.service.ts';
import { recordSubscription } from '../modules/subscriptions/subscriptions.service.ts';
import { insertAcceptedRelationship } from '../modules/tenants/index.ts';
import { listDirectoryUserRows } from '../modules/tenants/tenants.repo.ts';
import { createTenant } from '../modules/tenants/tenants.service.ts';
import { createUser } from '../modules/users/users.service.ts';
import type { Ctx } from '../platform/http/context.ts';
import { PROJECT_ROOT } from '../platform/paths.ts';

/** The demo data pinned in the public contract: scripts, docs and checks rely on these names. */
export const DEMO_PASSWORD = 'traslado-demo';

export const DEMO_LOGINS = [
  { email: 'operator@traslado.demo', who: 'Platform operator' },
  { email: 'account.admin@partner.demo', who: 'Contoso Partner España: account admin' },
  { email: 'admin.agent@partner.demo', who: 'Contoso Partner España: admin agent' },
  { email: 'sales.agent@partner.demo', who: 'Contoso Partner España: sales agent' },
  { email: 'billing.agent@partner.demo', who: 'Contoso Partner España: billing agent' },
  { email: 'account.admin@provider.demo', who: 'Distribuidora Iberia (indirect provider): account admin' },
  {
    email: 'account.admin@reseller.demo',
    who: 'Pyme Cloud Sevilla (indirect reseller of Distribuidora Iberia): account admin',
  },
  { email: 'admin@fabrikam.demo', who: 'Fabrikam Iberia (ES): global admin, no relationship yet' },
  { email: 'admin@northwind.demo', who: 'Northwind Traders (ES): global admin, already a customer' },
  { email: 'admin@tailspin.demo', who: 'Tailspin Brasil (BR): global admin' },
] as const;

const FIRST = [
  'Ana',
  'Luis',
  'Marta',
  'Javier',
  'Lucía',
  'Pablo',
  'Elena',
  'Diego',
  'Carmen',
  'Sergio',
  'Laura',
  'Raúl',
];
const LAST = ['García', 'Martín', 'López', 'Sánchez', 'Pérez', 'Gómez', 'Ruiz', 'Díaz', 'Moreno', 'Álvarez'];

export function demoDirectory(domain: string, count: number) {
  return Array.from({ length: count }, (_, i) => {
    const first = FIRST[i % FIRST.length]!;
    const last = LAST[Math.floor(i / FIRST.length) % LAST.length]!;
    const n = String(i + 1).padStart(3, '0');
    const ascii = `${first}.${last}`
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase();
    return { userPrincipalName: `${ascii}.${n}@${domain}`, displayName: `${first} ${last}` };
  });
}

export interface DemoIds {
  partnerId: string;
  tenants: { fabrikam: string; northwind: string; tailspin: string };
}

/** Seeds the demo partner, users in each role, the operator and three tenants. Runs in the caller's transaction. */
export async function seedDemo(ctx: Ctx): Promise<DemoIds> {
  await createUser(ctx, {
    email: 'operator@traslado.demo',
    displayName: 'Traslado Operator',
    password: DEMO_PASSWORD,
    kind: 'operator',
    roles: ['operator'],
  });
  const partner = await createPartner(ctx, {
    name: 'Contoso Partner España',
    country: 'ES',
    kind: 'direct-bill',
    // SPEC §9: certified as an Azure expert MSP, so it may take enterprise Azure by billing transfer.
    azureExpertMsp: true,
    admin: {
      email: 'account.admin@partner.demo',
      password: DEMO_PASSWORD,
      displayName: 'Alicia Account-Admin',
    },
  });
  const asPartner: Ctx = { ...ctx, actor: { ...ctx.actor, partnerId: partner.id } };
  const agents: Record<string, string> = {};
  for (const [email, role, name] of [
    ['admin.agent@partner.demo', 'admin-agent', 'Adrián Admin-Agent'],
    ['sales.agent@partner.demo', 'sales-agent', 'Sara Sales-Agent'],
    ['billing.agent@partner.demo', 'billing-agent', 'Bruno Billing-Agent'],
  ] as const) {
    const u = await addPartnerUser(asPartner, {
      email,
      password: DEMO_PASSWORD,
      displayName: name,
      roles: [role],
    });
    agents[role] = u.id;
  }
  // The demo's main flow moves licenses and turns the direct source's auto-renew off: the account
  // admin and the admin agent are in a group given those two roles on every GDAP that carries them
  // (least privilege: nothing else, and nothing for the sales or billing agent).
  const accountAdmin = await ctx.db
    .selectFrom('users')
    .select('id')
    .where('email', '=', 'account.admin@partner.demo')
    .executeTakeFirstOrThrow();
  await createSecurityGroup(asPartner, {
    name: 'Transition agents',
    memberUserIds: [accountAdmin.id, agents['admin-agent']!],
    autoAssignRoles: ['License Administrator', 'Billing Administrator'],
  });
  // Two-tier (SPEC §7): an indirect provider and a reseller it transacts for, already linked.
  const provider = await createPartner(ctx, {
    name: 'Distribuidora Iberia',
    country: 'ES',
    kind: 'indirect-provider',
    admin: { email: 'account.admin@provider.demo', password: DEMO_PASSWORD, displayName: 'Pilar Provider' },
  });
  const reseller = await createPartner(ctx, {
    name: 'Pyme Cloud Sevilla',
    country: 'ES',
    kind: 'indirect-reseller',
    admin: { email: 'account.admin@reseller.demo', password: DEMO_PASSWORD, displayName: 'Rosa Reseller' },
  });
  await linkIndirectReseller(ctx, provider.id, reseller.id);
  // Tenants are created with licensed users: the licenses module's use case is handed in.
  const licensing = { ...ctx, updateUserLicenses };
  const fabrikam = await createTenant(licensing, {
    companyName: 'Fabrikam Iberia',
    defaultDomain: 'fabrikam.demo',
    country: 'ES',
    admin: { email: 'admin@fabrikam.demo', password: DEMO_PASSWORD, displayName: 'Fabrikam Admin' },
    users: demoDirectory('fabrikam.demo', 48),
  });
  const northwind = await createTenant(licensing, {
    companyName: 'Northwind Traders',
    defaultDomain: 'northwind.demo',
    country: 'ES',
    admin: { email: 'admin@northwind.demo', password: DEMO_PASSWORD, displayName: 'Northwind Admin' },
    users: demoDirectory('northwind.demo', 24),
  });
  const tailspin = await createTenant(licensing, {
    companyName: 'Tailspin Brasil',
    defaultDomain: 'tailspin.demo',
    country: 'BR',
    admin: { email: 'admin@tailspin.demo', password: DEMO_PASSWORD, displayName: 'Tailspin Admin' },
    users: demoDirectory('tailspin.demo', 12),
  });
  // Northwind is already a customer of the demo partner; Fabrikam is the seed's starting point (no relationship).
  const relId = await insertAcceptedRelationship(ctx.db, partner.id, northwind.id, ctx.clock.now());
  await recordAudit(ctx, {
    action: 'relationship.created',
    targetType: 'relationship',
    targetId: relId,
    tenantId: northwind.id,
    partnerId: partner.id,
  });
  await seedDemoSubscriptions(ctx, {
    partnerId: partner.id,
    tenants: { fabrikam: fabrikam.id, northwind: northwind.id, tailspin: tailspin.id },
  });
  await seedDemoAzure(ctx, { fabrikam: fabrikam.id, northwind: northwind.id });
  return {
    partnerId: partner.id,
    tenants: { fabrikam: fabrikam.id, northwind: northwind.id, tailspin: tailspin.id },
  };
}

/**
 * The customers' own Azure (SPEC §9): Fabrikam pays as it goes, with a month of rated usage and a
 * DevTest Labs lab, a type that cannot move between subscriptions; Northwind runs production under
 * an enterprise agreement.
 */
async function seedDemoAzure(ctx: Ctx, tenants: { fabrikam: string; northwind: string }) {
  const arm = (sub: string, group: string, type: string, name: string) =>
    `/subscriptions/${sub}/resourceGroups/${group}/providers/${type}/${name}`;
  const FABRIKAM_AZURE = '4f1c2d7e-5b8a-4c3e-9a61-0d2b7e9f3a15';
  const resources = [
    { resourceType: 'Microsoft.Compute/virtualMachines', group: 'web', name: 'fab-web-01' },
    { resourceType: 'Microsoft.Storage/storageAccounts', group: 'web', name: 'fabwebstore' },
    { resourceType: 'Microsoft.Sql/servers', group: 'data', name: 'fab-sql' },
    { resourceType: 'Microsoft.DevTestLab/labs', group: 'dev', name: 'fab-lab' },
  ].map((r) => ({
    resourceType: r.resourceType,
    resourceId: arm(FABRIKAM_AZURE, r.group, r.resourceType, r.name),
  }));
  const payg = await recordOwnAzureSubscription(ctx, {
    tenantId: tenants.fabrikam,
    kind: 'pay-as-you-go',
    friendlyName: 'Fabrikam Pay-As-You-Go',
    resources,
  });
  // Thirty days up to yesterday: a VM around the clock, its storage, and the database by the hour.
  const meters = [
    ['vm-d2s-v5', 'D2s v5', 'Virtual Machines', '1 Hour', '24', 10, 0],
    ['lrs-data-stored', 'LRS Data Stored', 'Storage', '1 GB/Month', '4.2', 2, 1],
    ['sql-s1-dtu', 'S1 DTUs', 'SQL Database', '1 Hour', '16.5', 3, 2],
  ] as const;
  const rows = [];
  for (let d = 30; d >= 1; d--) {
    const date = new Date(ctx.clock.now().getTime() - d * DAY_MS).toISOString().slice(0, 10);
    for (const [meterId, meterName, meterCategory, unit, quantity, unitPrice, r] of meters)
      rows.push({
        line: rows.length + 2,
        row: {
          date,
          subscriptionId: payg.id,
          meterId,
          meterName,
          meterCategory,
          unit,
          quantity,
          unitPrice,
          currency: 'EUR',
          resourceId: resources[r]!.resourceId,
        },
      });
  }
  await importUsage(ctx, rows, 'demo');
  const NORTHWIND_AZURE = '9b2e6c41-3d7f-4a58-8e0c-6f1a2b3c4d5e';
  await recordOwnAzureSubscription(ctx, {
    tenantId: tenants.northwind,
    kind: 'enterprise-agreement',
    friendlyName: 'Northwind EA Production',
    billingAccountId: 'EA-ENROLLMENT-8675309',
    resources: [
      {
        resourceType: 'Microsoft.Compute/virtualMachines',
        resourceId: arm(NORTHWIND_AZURE, 'erp', 'Microsoft.Compute/virtualMachines', 'nw-erp-01'),
      },
      {
        resourceType: 'Microsoft.Storage/storageAccounts',
        resourceId: arm(NORTHWIND_AZURE, 'erp', 'Microsoft.Storage/storageAccounts', 'nwerpstore'),
      },
    ],
  });
}

export const REFERENCE_CSV = join(PROJECT_ROOT, 'data/licensing-service-plans.csv');
/** The reviewed corrections to the product classification rules (SPEC §11). */
export const CLASSES_CSV = join(PROJECT_ROOT, 'data/catalog-classes.csv');
const DAY_MS = 86_400_000;

/**
 * The demo catalog and subscriptions from every channel, dated relative to the platform clock:
 * Fabrikam's direct Business Standard ends within 60 days (the seed's starting point); Northwind
 * holds partner, volume (an end-of-sale Office 365 E1 with a successor), direct and trial ones;
 * Tailspin a direct one and a trial.
 */
async function seedDemoSubscriptions(ctx: Ctx, ids: DemoIds) {
  await seedDemoCatalog(ctx, await readReferenceFile(REFERENCE_CSV), await readClassOverrides(CLASSES_CSV));
  const now = ctx.clock.now().getTime();
  const at = (days: number) => new Date(now + days * DAY_MS).toISOString();
  const usersOf = async (tenantId: string) =>
    (await listDirectoryUserRows(ctx.db, { tenantId, limit: 500 })).map((u) => u.id);
  const add = async (
    tenantId: string,
    users: string[],
    s: {
      offerId: string;
      quantity: number;
      channel: 'direct' | 'partner' | 'volume' | 'trial';
      partnerId?: string;
      purchasedVia?: string;
      billingCycle?: 'monthly' | 'annual';
      from: number;
      to: number;
      autoRenew: boolean;
    },
  ) => {
    const { from, to, ...rest } = s;
    const sub = await recordSubscription(
      { ...ctx, assignedSeatsBySku },
      {
        tenantId,
        billingCycle: 'annual',
        ...rest,
        termStart: at(from),
        termEnd: at(to),
      },
    );
    await assignSkuToUsers(ctx, { tenantId, skuId: sub.skuId, users: users.map((userId) => ({ userId })) });
    return sub;
  };

  const fabrikam = await usersOf(ids.tenants.fabrikam);
  await add(ids.tenants.fabrikam, fabrikam.slice(0, 45), {
    offerId: 'demo-m365-business-standard',
    quantity: 50,
    channel: 'direct',
    purchasedVia: 'admin-center',
    from: -320,
    to: 45,
    autoRenew: true,
  });

  const northwind = await usersOf(ids.tenants.northwind);
  const partner = {
    channel: 'partner' as const,
    partnerId: ids.partnerId,
    from: -60,
    to: 305,
    autoRenew: true,
  };
  await add(ids.tenants.northwind, northwind.slice(0, 8), {
    offerId: 'demo-m365-business-basic',
    quantity: 10,
    ...partner,
  });
  await add(ids.tenants.northwind, northwind.slice(8, 11), {
    offerId: 'demo-exchange-online-plan-1',
    quantity: 5,
    ...partner,
  });
  // The demo partner sells at 15 % over cost (price rules, docs/billing.md). No past billing lines:
  // a template's demo data is moved to the present by its timestamptz columns, and a line's dates
  // (billing month, charge days) are calendar days that cannot move that way.
  await replacePriceRules(
    ctx.db,
    ids.partnerId,
    [{ offerId: null, tenantId: null, markupBp: 1500 }],
    ctx.clock.now(),
  );
  await add(ids.tenants.northwind, northwind.slice(11, 21), {
    offerId: 'demo-o365-e1',
    quantity: 12,
    channel: 'volume',
    purchasedVia: 'enterprise-agreement',
    from: -300,
    to: 65,
    autoRenew: false,
  });
  await add(ids.tenants.northwind, northwind.slice(21, 24), {
    offerId: 'demo-o365-e3',
    quantity: 4,
    channel: 'direct',
    purchasedVia: 'admin-center',
    billingCycle: 'monthly',
    from: -100,
    to: 265,
    autoRenew: true,
  });
  await add(ids.tenants.northwind, northwind.slice(0, 2), {
    offerId: 'demo-project-online-premium',
    quantity: 3,
    channel: 'direct',
    purchasedVia: 'admin-center',
    from: -200,
    to: 165,
    autoRenew: true,
  });
  await add(ids.tenants.northwind, [], {
    offerId: 'demo-m365-business-premium',
    quantity: 25,
    channel: 'trial',
    billingCycle: 'monthly',
    from: -10,
    to: 20,
    autoRenew: false,
  });

  const tailspin = await usersOf(ids.tenants.tailspin);
  await add(ids.tenants.tailspin, tailspin.slice(0, 10), {
    offerId: 'demo-m365-business-basic',
    quantity: 12,
    channel: 'direct',
    purchasedVia: 'admin-center',
    billingCycle: 'monthly',
    from: -150,
    to: 215,
    autoRenew: true,
  });
  await add(ids.tenants.tailspin, tailspin.slice(10, 12), {
    offerId: 'demo-m365-apps-for-business',
    quantity: 5,
    channel: 'trial',
    billingCycle: 'monthly',
    from: -5,
    to: 25,
    autoRenew: false,
  });
}
