import type { ErrorSpecs } from '../../platform/errors.ts';

export const LICENSES_ERRORS = {
  license_quota_exceeded: {
    status: 409,
    en: (p) =>
      `Not enough seats of SKU ${p.skuId}: ${p.available} free, ${p.requested} asked. Buy seats first.`,
    es: (p) =>
      `No hay suficientes licencias de la SKU ${p.skuId}: libres, ${p.available}; pedidas, ${p.requested}. Compre licencias primero.`,
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
} satisfies ErrorSpecs;
