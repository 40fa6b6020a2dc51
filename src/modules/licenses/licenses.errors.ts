import type { ErrorSpecs } from '../../platform/errors.ts';

export const LICENSES_ERRORS = {
  license_quota_exceeded: {
    status: 409,
    en: (p) =>
      p.shortfall !== undefined
        ? `Not enough seats of ${p.skuName ?? `SKU ${p.skuId}`}: ${p.shortfall} missing (${p.available} free, ${p.requested} asked). Nothing was changed; buy seats first.`
        : `Not enough seats of SKU ${p.skuId}: ${p.available} free, ${p.requested} asked. Buy seats first.`,
    es: (p) =>
      p.shortfall !== undefined
        ? `No hay suficientes licencias de ${p.skuName ?? `la SKU ${p.skuId}`}: faltan ${p.shortfall} (libres, ${p.available}; pedidas, ${p.requested}). No se ha cambiado nada; compre licencias primero.`
        : `No hay suficientes licencias de la SKU ${p.skuId}: libres, ${p.available}; pedidas, ${p.requested}. Compre licencias primero.`,
  },
  license_update_invalid: {
    status: 422,
    en: (p) => `SKU ${p.skuId} cannot be assigned and removed in the same update.`,
    es: (p) => `La SKU ${p.skuId} no se puede asignar y quitar en el mismo cambio.`,
  },
  license_plan_unknown: {
    status: 422,
    en: (p) => `SKU ${p.skuId} has no service plan ${p.planId} to switch off.`,
    es: (p) => `La SKU ${p.skuId} no tiene ningún plan de servicio ${p.planId} que desactivar.`,
  },
  license_bulk_duplicate_user: {
    status: 422,
    en: 'A user appears more than once in the updates; give each user one update.',
    es: 'Un usuario aparece más de una vez en los cambios; indique un solo cambio por usuario.',
  },
} satisfies ErrorSpecs;
