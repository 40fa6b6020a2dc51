import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import { assignedSeatsBySku } from '../../modules/licenses/index.ts';
import { findRecordedTwin } from '../../modules/subscriptions/subscriptions.repo.ts';
import { RecordSubscriptionBody } from '../../modules/subscriptions/subscriptions.schemas.ts';
import type { RecordSubscriptionInput } from '../../modules/subscriptions/subscriptions.service.ts';
import { recordSubscription } from '../../modules/subscriptions/subscriptions.service.ts';
import { findTenant, findTenantByDomain } from '../../modules/tenants/tenants.repo.ts';
import { loadConfig } from '../../platform/config.ts';
import { isDomainError } from '../../platform/errors.ts';
import { validatorCompiler } from '../../platform/http/validation.ts';
import { createLogger } from '../../platform/log.ts';
import { inSystemTransaction, openConfiguredDatabase } from '../../platform/runtime.ts';
import { printCliError } from '../progress.ts';

// The API's own validator: the same rules (and formats) as the HTTP route.
const checkRow = validatorCompiler({
  schema: RecordSubscriptionBody,
  httpPart: 'body',
  method: 'POST',
  url: '/api/admin/tenants/:tenantId/subscriptions',
}) as unknown as ((v: unknown) => boolean) & { errors?: { instancePath: string; message?: string }[] | null };

/**
 * `traslado import FILE`: subscriptions a tenant holds from other channels, in CSV with the shape of
 * `POST /api/admin/tenants/{tenantId}/subscriptions` plus `tenantId` or `tenantDomain`. All rows or
 * none: one transaction, and the first bad row names its line.
 */
async function runImportCommand(file: string, opts: { data?: string }) {
  const config = loadConfig(process.env, opts.data ? { dataDir: opts.data } : {});
  const rows = parse(await readFile(file, 'utf8'), {
    columns: true,
    bom: true,
    skip_empty_lines: true,
    trim: true,
  }) as Record<string, string>[];
  const handle = await openConfiguredDatabase(config);
  try {
    const count = await inSystemTransaction(handle, config, createLogger('warn'), async (ctx) => {
      let line = 1;
      let skipped = 0;
      for (const r of rows) {
        line++;
        const tenant = r.tenantId
          ? await findTenant(ctx.db, r.tenantId)
          : r.tenantDomain
            ? await findTenantByDomain(ctx.db, r.tenantDomain)
            : undefined;
        if (!tenant)
          throw new Error(`line ${line}: no tenant ${r.tenantId ?? r.tenantDomain ?? '(none given)'}`);
        const body = {
          offerId: r.offerId,
          quantity: Number(r.quantity),
          channel: r.channel,
          ...(r.partnerId ? { partnerId: r.partnerId } : {}),
          ...(r.purchasedVia ? { purchasedVia: r.purchasedVia } : {}),
          billingCycle: r.billingCycle,
          termStart: r.termStart,
          termEnd: r.termEnd,
          autoRenew: ['true', '1', 'yes'].includes((r.autoRenew ?? '').toLowerCase()),
        };
        if (!checkRow(body)) {
          const first = checkRow.errors?.[0];
          throw new Error(
            `line ${line}: ${first?.instancePath || 'row'} ${first?.message ?? 'is not valid'}`,
          );
        }
        // Importing the same file again records nothing twice.
        const twin = await findRecordedTwin(ctx.db, {
          tenantId: tenant.id,
          offerId: body.offerId ?? '',
          channel: body.channel ?? '',
          partnerId: body.partnerId ?? null,
          termStart: new Date(body.termStart ?? ''),
          termEnd: new Date(body.termEnd ?? ''),
        });
        if (twin) {
          skipped++;
          continue;
        }
        try {
          await recordSubscription(
            { ...ctx, assignedSeatsBySku },
            {
              tenantId: tenant.id,
              ...(body as Omit<RecordSubscriptionInput, 'tenantId'>),
            },
          );
        } catch (err) {
          if (isDomainError(err)) throw new Error(`line ${line}: ${err.code} ${JSON.stringify(err.params)}`);
          throw err;
        }
      }
      return { recorded: rows.length - skipped, skipped };
    });
    console.log(`${count.recorded} subscriptions recorded, ${count.skipped} already there`);
  } catch (err) {
    console.error((err as Error).message);
    process.exitCode = 1;
  } finally {
    await handle.close();
  }
}

export const importCommand = (file: string, opts: Parameters<typeof runImportCommand>[1]) =>
  runImportCommand(file, opts).catch(printCliError);
