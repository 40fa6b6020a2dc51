// The azure module's face (SPEC §9): its routes and jobs for app.ts, the clock's queue name, the
// plan's Azure lines for transitions, and the month's rated usage for billing's `usage` lines.
export { AZURE_LIFECYCLE_QUEUE, registerAzureJobs, sweepAzureLifecycleNow } from './azure.jobs.ts';
export { registerAzure } from './azure.routes.ts';
export { AzurePlanLineView } from './azure.schemas.ts';
export { createAzurePlan, createAzureSubscription, recordOwnAzureSubscription } from './azure.service.ts';
export { type AzurePlanLine, azurePlanLines, blockerView } from './azure.transfers.ts';
export { importUsage, ratedUsageForMonth, readUsageFile, type UsageImportResult } from './azure.usage.ts';
