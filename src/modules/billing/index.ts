// The billing module's face (SPEC §8): the modules whose events cost money write their lines
// through it, in their own transaction; invoices, reconciliation files and price rules live here.
export { type BillingLineRow, insertBillingLine, type NewBillingLine } from './billing.repo.ts';
export { type BilledSubscription, recordCreditLine, recordSeatLine } from './billing.service.ts';
