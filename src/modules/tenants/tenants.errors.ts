import { regionName } from '../../platform/error-words.ts';
import type { ErrorSpecs } from '../../platform/errors.ts';

export const TENANTS_ERRORS = {
  tenant_not_found: {
    status: 404,
    en: 'No such customer tenant.',
    es: 'No existe ese inquilino de cliente.',
  },
  user_exists: {
    status: 409,
    en: (p) => `The tenant already has a user ${p.userPrincipalName}.`,
    es: (p) => `El inquilino ya tiene un usuario ${p.userPrincipalName}.`,
  },
  domain_taken: {
    status: 409,
    en: (p) => `The domain ${p.domain} already belongs to a tenant.`,
    es: (p) => `El dominio ${p.domain} ya pertenece a un inquilino.`,
  },
  unknown_country: {
    status: 422,
    en: (p) => `Unknown country code ${p.country}; use a two-letter ISO 3166 code (ES, BR, ...).`,
    es: (p) => `Código de país desconocido ${p.country}; use un código ISO 3166 de dos letras (ES, BR, ...).`,
  },
  region_mismatch: {
    status: 422,
    en: (p) =>
      `The partner is in region ${regionName(p.partnerRegion, 'en')} and the tenant is in region ${regionName(p.tenantRegion, 'en')}; a partner only serves customers of its own region.`,
    es: (p) =>
      `El partner está en la región ${regionName(p.partnerRegion, 'es')} y el inquilino en la región ${regionName(p.tenantRegion, 'es')}; un partner solo atiende a clientes de su propia región.`,
  },
} satisfies ErrorSpecs;
