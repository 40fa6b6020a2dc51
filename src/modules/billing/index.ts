// The billing module's face (SPEC §8): the modules whose events cost money write their lines
// through it, in their own transaction; invoices, reconciliation files and price rules live here.

export { closeInvoicesNow, INVOICE_CLOSE_QUEUE, registerBillingJobs } from './billing.jobs.ts';
export { type BillingLineRow, insertBillingLine, type NewBillingLine } from './billing.repo.ts';
export {
  type BilledSubscription,
  recordCreditLine,
  recordSeatLine,
  recordSeatLines,
  type SeatLineInput,
} from './billing.service.ts';
export { orderChargeRows } from './billing-lines.repo.ts';
export { findInvoice, findInvoiceByNumber, type InvoiceRow } from './invoices.repo.ts';
export { registerInvoices } from './invoices.routes.ts';
export {
  type CustomerDetails,
  type CustomerLookup,
  closeMonths,
  type IssuedInvoice,
} from './invoices.service.ts';
export { reconciliationFileName, reconciliationStream } from './reconciliation.ts';
