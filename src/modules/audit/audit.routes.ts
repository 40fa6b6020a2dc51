import { answerList } from '../../platform/http/list.ts';
import { readContext } from '../../platform/http/run.ts';
import { errorResponses } from '../../platform/http/schemas.ts';
import type { App, ServerDeps } from '../../platform/http/server.ts';
import { AUDIT_SORTS } from './audit.repo.ts';
import { AuditPage, AuditQuery } from './audit.schemas.ts';
import {
  AUDIT_CSV,
  type AuditNamer,
  auditFilter,
  countAudit,
  listAudit,
  sortedAudit,
} from './audit.service.ts';

export function registerAudit(app: App, deps: ServerDeps, names?: { namesOf: AuditNamer }) {
  app.get(
    '/api/audit',
    {
      config: { action: 'audit.read' },
      schema: {
        tags: ['audit'],
        summary: 'The audit trail visible to the caller',
        querystring: AuditQuery,
        produces: ['application/json', 'text/csv'],
        response: { 200: AuditPage, ...errorResponses },
      },
    },
    async (req, reply) => {
      const ctx = readContext(deps, req);
      const { tenantId, action, ...paging } = req.query;
      const filter = auditFilter(ctx, { ...(tenantId ? { tenantId } : {}), ...(action ? { action } : {}) });
      return answerList(req, reply, {
        query: paging,
        sorts: AUDIT_SORTS,
        defaultSort: { field: 'at', direction: 'desc' },
        fetch: (w) => sortedAudit(ctx, filter, w, names?.namesOf),
        count: () => countAudit(ctx, filter),
        // Newest first by id, unfiltered by action: the pinned keyset pages, as before.
        ...(action === undefined
          ? { keyset: () => listAudit(ctx, { ...paging, ...(tenantId ? { tenantId } : {}) }, names?.namesOf) }
          : {}),
        csv: { filename: 'audit.csv', columns: AUDIT_CSV },
      });
    },
  );
}
