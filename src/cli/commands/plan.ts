import { readFile, writeFile } from 'node:fs/promises';
import { visibleTenantIds } from '../../modules/relationships/relationships.repo.ts';
import { planCustomerTransition } from '../../modules/transitions/transitions.service.ts';
import { fixedClock, PlatformClock } from '../../platform/clock.ts';
import { loadConfig } from '../../platform/config.ts';
import { DomainError } from '../../platform/errors.ts';
import type { Actor } from '../../platform/http/context.ts';
import { createLogger } from '../../platform/log.ts';
import { openConfiguredDatabase } from '../../platform/runtime.ts';

export interface PlanFile {
  partnerId: string;
  plannedAt: string;
  transitions: {
    tenantId: string;
    transitionId?: string;
    verdict?: string;
    lines?: number;
    error?: string;
  }[];
}

/** The CLI acts for a partner as its account admin would (recorded as the CLI in the audit trail). */
export function cliActor(partnerId: string): Actor {
  return {
    userId: 'system',
    email: 'cli@traslado.local',
    kind: 'partner',
    roles: ['account-admin'],
    partnerId,
    tenantId: null,
    sessionId: `cli-${process.pid}`,
  };
}

async function customerIds(file: string): Promise<string[]> {
  const text = await readFile(file, 'utf8');
  if (file.endsWith('.json')) {
    const data = JSON.parse(text) as unknown;
    const list = Array.isArray(data) ? data : (data as { customers?: unknown[] }).customers;
    if (!Array.isArray(list)) throw new Error(`${file}: expected a JSON array of tenant ids`);
    return list.map((x) => (typeof x === 'string' ? x : String((x as { tenantId?: string }).tenantId)));
  }
  // CSV or plain text: the first column of each line, header "tenantId" skipped.
  return text
    .split(/\r?\n/)
    .map((l) => l.split(',')[0]!.trim())
    .filter((x) => x && x.toLowerCase() !== 'tenantid');
}

export async function planCommand(opts: {
  partner: string;
  customers?: string;
  all?: boolean;
  out: string;
  data?: string;
}) {
  if (!opts.all && !opts.customers) throw new Error('pass --all or --customers FILE');
  const config = loadConfig(process.env, opts.data ? { dataDir: opts.data } : {});
  const log = createLogger('warn');
  const handle = await openConfiguredDatabase(config);
  try {
    const clock = new PlatformClock(handle.db);
    await clock.refresh(true);
    const ids = opts.all
      ? (await visibleTenantIds(handle.db, opts.partner).execute()).map((r) => r.tenant_id)
      : await customerIds(opts.customers!);
    const out: PlanFile = { partnerId: opts.partner, plannedAt: clock.now().toISOString(), transitions: [] };
    const counts: Record<string, number> = {};
    let i = 0;
    for (const tenantId of ids) {
      i++;
      try {
        const view = await handle.db.transaction().execute((trx) =>
          planCustomerTransition(
            {
              db: trx,
              clock: fixedClock(clock.now()),
              actor: cliActor(opts.partner),
              requestId: `cli-plan-${process.pid}`,
              log,
              config,
            },
            { tenantId },
          ),
        );
        out.transitions.push({
          tenantId,
          transitionId: view.id,
          verdict: view.verdict,
          lines: view.lines.length,
        });
        counts[view.verdict] = (counts[view.verdict] ?? 0) + 1;
      } catch (err) {
        const code = err instanceof DomainError ? err.code : (err as Error).message;
        out.transitions.push({ tenantId, error: code });
        counts.error = (counts.error ?? 0) + 1;
      }
      if (i % 100 === 0 || i === ids.length) console.log(`planned ${i}/${ids.length}`);
    }
    await writeFile(opts.out, `${JSON.stringify(out, null, 2)}\n`);
    console.log(
      `wrote ${opts.out}: ${
        Object.entries(counts)
          .map(([k, v]) => `${v} ${k}`)
          .join(', ') || 'nothing to plan'
      }`,
    );
  } finally {
    await handle.close();
  }
}
