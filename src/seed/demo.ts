import { recordAudit } from '../modules/audit/audit.service.ts';
import { addPartnerUser, createPartner } from '../modules/partners/partners.service.ts';
import { insertAcceptedRelationship } from '../modules/relationships/relationships.repo.ts';
import { createTenant } from '../modules/tenants/tenants.service.ts';
import { createUser } from '../modules/users/users.service.ts';
import type { Ctx } from '../platform/http/context.ts';

/** The demo data pinned in the public contract: scripts, docs and checks rely on these names. */
export const DEMO_PASSWORD = 'traslado-demo';

export const DEMO_LOGINS = [
  { email: 'operator@traslado.demo', who: 'Platform operator' },
  { email: 'account.admin@partner.demo', who: 'Contoso Partner España: account admin' },
  { email: 'admin.agent@partner.demo', who: 'Contoso Partner España: admin agent' },
  { email: 'sales.agent@partner.demo', who: 'Contoso Partner España: sales agent' },
  { email: 'billing.agent@partner.demo', who: 'Contoso Partner España: billing agent' },
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
    admin: {
      email: 'account.admin@partner.demo',
      password: DEMO_PASSWORD,
      displayName: 'Alicia Account-Admin',
    },
  });
  const asPartner: Ctx = { ...ctx, actor: { ...ctx.actor, partnerId: partner.id } };
  for (const [email, role, name] of [
    ['admin.agent@partner.demo', 'admin-agent', 'Adrián Admin-Agent'],
    ['sales.agent@partner.demo', 'sales-agent', 'Sara Sales-Agent'],
    ['billing.agent@partner.demo', 'billing-agent', 'Bruno Billing-Agent'],
  ] as const) {
    await addPartnerUser(asPartner, { email, password: DEMO_PASSWORD, displayName: name, roles: [role] });
  }
  const fabrikam = await createTenant(ctx, {
    companyName: 'Fabrikam Iberia',
    defaultDomain: 'fabrikam.demo',
    country: 'ES',
    admin: { email: 'admin@fabrikam.demo', password: DEMO_PASSWORD, displayName: 'Fabrikam Admin' },
    users: demoDirectory('fabrikam.demo', 48),
  });
  const northwind = await createTenant(ctx, {
    companyName: 'Northwind Traders',
    defaultDomain: 'northwind.demo',
    country: 'ES',
    admin: { email: 'admin@northwind.demo', password: DEMO_PASSWORD, displayName: 'Northwind Admin' },
    users: demoDirectory('northwind.demo', 24),
  });
  const tailspin = await createTenant(ctx, {
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
  return {
    partnerId: partner.id,
    tenants: { fabrikam: fabrikam.id, northwind: northwind.id, tailspin: tailspin.id },
  };
}
