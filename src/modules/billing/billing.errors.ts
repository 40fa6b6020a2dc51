import type { ErrorSpecs } from '../../platform/errors.ts';

/** Billing: lines, invoices, price rules (SPEC §8). */
export const BILLING_ERRORS = {
  invoice_not_found: { status: 404, en: 'No such invoice.', es: 'No existe esa factura.' },
} as const satisfies ErrorSpecs;
