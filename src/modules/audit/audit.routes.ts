import { readContext } from '../../platform/http/run.ts';
import { errorResponses } from '../../platform/http/schemas.ts';
import type { App, ServerDeps } from '../../platform/http/server.ts';
import { AuditPage, AuditQuery } from './audit.schemas.ts';
import { type AuditNamer, listAudit } from './audit.service.ts';

export function registerAudit(app: App, deps: ServerDeps, names?: { namesOf: AuditNamer }) {
  app.get(
    '/api/audit',
    {
      config: { action: 'audit.read' },
      schema: {
        tags: ['audit'],
        summary: 'The audit trail visible to the caller',
        querystring: AuditQuery,
        response: { 200: AuditPage, ...errorResponses },
      },
    },
    async (req) => listAudit(readContext(deps, req), req.query, names?.namesOf),
  );
}
