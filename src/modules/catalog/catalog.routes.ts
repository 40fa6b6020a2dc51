import { readContext, runInTransaction } from '../../platform/http/run.ts';
import { errorResponses } from '../../platform/http/schemas.ts';
import type { App, ServerDeps } from '../../platform/http/server.ts';
import {
  CreateOfferBody,
  OfferPage,
  OfferParams,
  OffersQuery,
  OfferView,
  PricesBody,
  UpdateOfferBody,
} from './catalog.schemas.ts';
import { createOffer, getOffer, listOffers, setOfferPrices, updateOffer } from './catalog.service.ts';

export function registerCatalog(app: App, deps: ServerDeps) {
  app.get(
    '/api/offers',
    {
      config: { action: 'offers.read' },
      schema: {
        tags: ['catalog'],
        summary: 'The catalog, optionally only the offers sold in a market',
        querystring: OffersQuery,
        response: { 200: OfferPage, ...errorResponses },
      },
    },
    async (req) => listOffers(readContext(deps, req), req.query),
  );
  app.get(
    '/api/offers/:offerId',
    {
      config: { action: 'offers.read' },
      schema: {
        tags: ['catalog'],
        summary: 'One offer with its service plans',
        params: OfferParams,
        response: { 200: OfferView, ...errorResponses },
      },
    },
    async (req) => getOffer(readContext(deps, req), req.params),
  );
  app.post(
    '/api/admin/offers',
    {
      config: { action: 'operator.catalog' },
      schema: {
        tags: ['operator'],
        summary: 'Add an offer to the catalog',
        body: CreateOfferBody,
        response: { 201: OfferView, ...errorResponses },
      },
    },
    async (req, reply) =>
      runInTransaction(deps, req, reply, (ctx) => createOffer(ctx, req.body), { status: 201 }),
  );
  app.patch(
    '/api/admin/offers/:offerId',
    {
      config: { action: 'operator.catalog' },
      schema: {
        tags: ['operator'],
        summary: 'Change an offer: price, markets, limits, end of sale, successors',
        params: OfferParams,
        body: UpdateOfferBody,
        response: { 200: OfferView, ...errorResponses },
      },
    },
    async (req, reply) =>
      runInTransaction(deps, req, reply, (ctx) =>
        updateOffer(ctx, { offerId: req.params.offerId, ...req.body }),
      ),
  );
  app.put(
    '/api/admin/offers/:offerId/prices',
    {
      config: { action: 'operator.catalog' },
      schema: {
        tags: ['operator'],
        summary: "Replace an offer's price list: per market, currency, term and billing plan (minor units)",
        params: OfferParams,
        body: PricesBody,
        response: { 200: OfferView, ...errorResponses },
      },
    },
    async (req, reply) =>
      runInTransaction(deps, req, reply, (ctx) =>
        setOfferPrices(ctx, { offerId: req.params.offerId, prices: req.body.prices }),
      ),
  );
}
