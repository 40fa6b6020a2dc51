import type { ErrorSpecs } from '../../platform/errors.ts';

/** Two-tier: indirect providers and their resellers (SPEC §7). */
export const INDIRECT_ERRORS = {
  not_indirect_provider: {
    status: 422,
    en: 'Only an indirect provider invites resellers.',
    es: 'Solo un proveedor indirecto invita a revendedores.',
  },
  not_indirect_reseller: {
    status: 422,
    en: "Only an indirect reseller's account admin accepts a provider's link.",
    es: 'Solo el Administrador de cuentas de un revendedor indirecto acepta el vínculo de un proveedor.',
  },
  indirect_link_exists: {
    status: 409,
    en: 'Your organisation is already linked to this provider.',
    es: 'Su organización ya está vinculada a este proveedor.',
  },
  indirect_reseller_cannot_transact: {
    status: 403,
    en: 'An indirect reseller never places orders: its indirect provider orders for it, with the reseller as partner of record.',
    es: 'Un revendedor indirecto nunca hace pedidos: su proveedor indirecto pide por él, con el revendedor como partner de registro.',
  },
  partner_on_record_invalid: {
    status: 422,
    en: (p) =>
      `Partner ${p.partnerOnRecordId} cannot be partner of record here: it must be one of your indirect resellers, with a relationship to this customer.`,
    es: (p) =>
      `El partner ${p.partnerOnRecordId} no puede ser aquí partner de registro: debe ser uno de sus revendedores indirectos, con relación con este cliente.`,
  },
  indirect_provider_required: {
    status: 422,
    en: 'An indirect reseller asks customers through one of its providers: name it (indirectProviderId).',
    es: 'Un revendedor indirecto se dirige a los clientes a través de uno de sus proveedores: indíquelo (indirectProviderId).',
  },
  indirect_provider_invalid: {
    status: 422,
    en: 'Only an indirect reseller names a provider here, and only one it is linked to.',
    es: 'Solo un revendedor indirecto indica aquí un proveedor, y solo uno al que esté vinculado.',
  },
  indirect_provider_missing: {
    status: 409,
    en: 'This reseller reached the customer without a linked provider: nobody can place its order.',
    es: 'Este revendedor llegó al cliente sin un proveedor vinculado: nadie puede hacer su pedido.',
  },
} satisfies ErrorSpecs;
