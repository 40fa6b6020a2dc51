import type { Db, Trx } from '../../platform/db/database.ts';
import type { Ctx } from '../../platform/http/context.ts';
import type { CsvColumn, SortOrder } from '../../platform/http/list.ts';
import {
  type BookFilter,
  type BookSort,
  countBookRows,
  listBookRows,
  type TransitionGroup,
} from './transitions.repo.ts';

/**
 * The partner's book of transitions (issue 21, "transitions everywhere"): every transition across
 * its customers, each naming its customer and its group, filtered, sorted and counted on the
 * server. Only the partner's own transitions ever appear (another partner's do not exist for it).
 */
export interface BookQuery {
  status?: string;
  group?: TransitionGroup;
  tenantId?: string;
  q?: string;
}

export function bookFilter(ctx: Ctx<Db | Trx>, query: BookQuery, ids?: string[]): BookFilter {
  return {
    // A partner user always has a partner; anyone else sees an empty book.
    partnerId: ctx.actor.kind === 'partner' ? (ctx.actor.partnerId ?? '') : '',
    ...(query.status ? { status: query.status } : {}),
    ...(query.group ? { group: query.group } : {}),
    ...(query.tenantId ? { tenantId: query.tenantId } : {}),
    ...(query.q ? { q: query.q } : {}),
    ...(ids ? { ids } : {}),
  };
}

export type BookItem = Awaited<ReturnType<typeof listBook>>[number];

export async function listBook(
  ctx: Ctx<Db | Trx>,
  filter: BookFilter,
  w: { sort: SortOrder<BookSort>; offset: number; limit: number },
) {
  const rows = await listBookRows(ctx.db, filter, w);
  return rows.map((r) => ({
    id: r.id,
    customer: { tenantId: r.tenant_id, companyName: r.company_name, defaultDomain: r.default_domain },
    tenantId: r.tenant_id,
    verdict: r.verdict,
    status: r.status,
    group: r.group,
    lines: Number(r.lines),
    plannedAt: r.planned_at.toISOString(),
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  }));
}

export function countBook(ctx: Ctx<Db | Trx>, filter: BookFilter) {
  return countBookRows(ctx.db, filter);
}

export const BOOK_CSV: CsvColumn<BookItem>[] = [
  { header: 'transitionId', value: (i) => i.id },
  { header: 'tenantId', value: (i) => i.customer.tenantId },
  { header: 'companyName', value: (i) => i.customer.companyName },
  { header: 'defaultDomain', value: (i) => i.customer.defaultDomain },
  { header: 'verdict', value: (i) => i.verdict },
  { header: 'status', value: (i) => i.status },
  { header: 'group', value: (i) => i.group },
  { header: 'lines', value: (i) => i.lines },
  { header: 'createdAt', value: (i) => i.createdAt },
  { header: 'updatedAt', value: (i) => i.updatedAt },
];
