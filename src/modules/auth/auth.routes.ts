import { Type } from '@sinclair/typebox';
import { fixedClock } from '../../platform/clock.ts';
import { readContext, runInTransaction } from '../../platform/http/run.ts';
import { ErrorBody, errorResponses, PageQuery } from '../../platform/http/schemas.ts';
import type { App, ServerDeps } from '../../platform/http/server.ts';
import {
  ApiTokenPage,
  ApiTokenParams,
  CreateApiTokenBody,
  CreatedApiToken,
  LoginBody,
  LoginResponse,
  UserView,
} from './auth.schemas.ts';
import { createApiToken, listApiTokens, logout, me, revokeApiToken, signIn } from './auth.service.ts';

export function registerAuth(app: App, deps: ServerDeps) {
  app.post(
    '/api/auth/login',
    {
      config: { public: true },
      schema: {
        tags: ['auth'],
        summary: 'Sign in; returns a bearer token',
        security: [],
        body: LoginBody,
        response: { 200: LoginResponse, ...errorResponses, 429: ErrorBody },
      },
    },
    async (req) =>
      signIn(
        deps.handle.db,
        { clock: fixedClock(deps.clock.now()), requestId: req.id, log: req.log, config: deps.config },
        req.body,
      ),
  );
  app.post(
    '/api/auth/logout',
    {
      config: { action: 'session.manage' },
      schema: {
        tags: ['auth'],
        summary: 'Revoke the current session token',
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (req, reply) => {
      await runInTransaction(deps, req, reply, (ctx) => logout(ctx), { status: 204 });
      return null;
    },
  );
  app.get(
    '/api/auth/me',
    {
      config: { action: 'session.read' },
      schema: {
        tags: ['auth'],
        summary: 'The signed-in user',
        response: { 200: UserView, ...errorResponses },
      },
    },
    async (req) => me(readContext(deps, req)),
  );
  app.post(
    '/api/auth/tokens',
    {
      config: { action: 'session.manage' },
      schema: {
        tags: ['auth'],
        summary: 'Create an API token for scripts (shown once)',
        body: CreateApiTokenBody,
        response: { 201: CreatedApiToken, ...errorResponses },
      },
    },
    async (req, reply) =>
      runInTransaction(deps, req, reply, (ctx) => createApiToken(ctx, req.body), { status: 201 }),
  );
  app.get(
    '/api/auth/tokens',
    {
      config: { action: 'session.read' },
      schema: {
        tags: ['auth'],
        summary: 'Your API tokens',
        querystring: PageQuery,
        response: { 200: ApiTokenPage, ...errorResponses },
      },
    },
    async (req) => listApiTokens(readContext(deps, req), req.query),
  );
  app.delete(
    '/api/auth/tokens/:tokenId',
    {
      config: { action: 'session.manage' },
      schema: {
        tags: ['auth'],
        summary: 'Revoke an API token',
        params: ApiTokenParams,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (req, reply) => {
      await runInTransaction(deps, req, reply, (ctx) => revokeApiToken(ctx, req.params), { status: 204 });
      return null;
    },
  );
}
