// The audit module's face: what other modules may call (docs/ARCHITECTURE.md, "Module boundaries").
// Every change records its audit row in the same transaction.
export {
  type AuditInput,
  type AuditNamer,
  type AuditRefs,
  auditMark,
  auditRewind,
  auditTrailOf,
  recordAudit,
  recordAuditRows,
} from './audit.service.ts';
