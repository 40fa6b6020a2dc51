import { Type } from '@sinclair/typebox';
import { readContext } from '../../platform/http/run.ts';
import { errorResponses } from '../../platform/http/schemas.ts';
import type { App, ServerDeps } from '../../platform/http/server.ts';
import {
  InvoiceDetail,
  InvoiceLinesQuery,
  InvoicePage,
  InvoiceParams,
  InvoiceQuery,
} from './invoices.schemas.ts';
import { type CustomerLookup, getInvoice, listInvoices, ownInvoice } from './invoices.service.ts';
import { reconciliationFileName, reconciliationStream } from './reconciliation.ts';

/** Invoices of the signed-in partner (billing agents and account admins; SPEC §8). */
export function registerInvoices(app: App, deps: ServerDeps, opts: { customersOf: CustomerLookup }) {
  app.get(
    '/api/invoices',
    {
      config: { action: 'invoices.read' },
      schema: {
        tags: ['billing'],
        summary: 'Your invoices, newest period first (one per closed month and currency)',
        querystring: InvoiceQuery,
        response: { 200: InvoicePage, ...errorResponses },
      },
    },
    async (req) => listInvoices(readContext(deps, req), req.query),
  );
  app.get(
    '/api/invoices/:id',
    {
      config: { action: 'invoices.read' },
      schema: {
        tags: ['billing'],
        summary: 'One invoice, with its lines (paged)',
        params: InvoiceParams,
        querystring: InvoiceLinesQuery,
        response: { 200: InvoiceDetail, ...errorResponses },
      },
    },
    async (req) => getInvoice(readContext(deps, req), { id: req.params.id, ...req.query }, opts.customersOf),
  );
  app.get(
    '/api/invoices/:id/reconciliation',
    {
      config: { action: 'invoices.read' },
      schema: {
        tags: ['billing'],
        summary:
          "The invoice's reconciliation file (CSV, the program's column names; money in major units), streamed",
        params: InvoiceParams,
        produces: ['text/csv'],
        response: {
          200: {
            description: 'text/csv; charset=utf-8',
            content: { 'text/csv': { schema: Type.String() } },
          },
          ...errorResponses,
        },
      },
    },
    async (req, reply) => {
      const ctx = readContext(deps, req);
      // Checked before the first byte: another partner's invoice is a 404 with the usual body.
      const invoice = await ownInvoice(ctx, req.params.id);
      reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${reconciliationFileName(invoice)}"`);
      // The schema's 200 is text, not the JSON the type provider expects.
      return reply.send(reconciliationStream(ctx.db, invoice, opts.customersOf) as never);
    },
  );
}
