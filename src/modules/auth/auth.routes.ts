import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { allowedActions, isRole } from '../../platform/auth/permissions.ts';
import { actorOf, readContext, runInTransaction } from '../../platform/http/run.ts';
import { ErrorBody, errorResponses, PageQuery } from '../../platform/http/schemas.ts';
import { type App, SESSION_COOKIE, type ServerDeps } from '../../platform/http/server.ts';
import {
  changePassword,
  type PublicCtx,
  requestPasswordReset,
  revokeAllSessions,
  setPasswordWithLink,
  withinSignInBudget,
} from './accounts.service.ts';
import {
  ApiTokenPage,
  ApiTokenParams,
  ChangePasswordBody,
  CreateApiTokenBody,
  CreatedApiToken,
  LoginBody,
  LoginResponse,
  MeView,
  PasswordResetBody,
  SetPasswordBody,
} from './auth.schemas.ts';
import { createApiToken, listApiTokens, logout, me, revokeApiToken, signIn } from './auth.service.ts';

/**
 * The console's session cookie: HttpOnly (page scripts never see the token), SameSite=Lax (not
 * sent on cross-site posts), Secure when served over HTTPS, and no longer-lived than the session.
 */
function sessionCookie(req: FastifyRequest, deps: ServerDeps) {
  return {
    path: '/',
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: req.protocol === 'https' || !!deps.config.publicUrl?.startsWith('https:'),
  };
}

function setSessionCookie(req: FastifyRequest, reply: FastifyReply, deps: ServerDeps, token: string) {
  reply.setCookie(SESSION_COOKIE, token, {
    ...sessionCookie(req, deps),
    maxAge: deps.config.sessionTtlHours * 3600,
  });
}

function publicContext(deps: ServerDeps, req: FastifyRequest): PublicCtx {
  return {
    db: deps.handle.db,
    clock: deps.clock,
    requestId: req.id,
    log: req.log,
    config: deps.config,
  };
}

export function registerAuth(app: App, deps: ServerDeps) {
  app.post(
    '/api/auth/login',
    {
      config: { public: true, throttle: 'login' },
      schema: {
        tags: ['auth'],
        summary:
          'Sign in; returns a bearer token (and sets the session cookie, with csrfToken for cookie-authenticated changes)',
        security: [],
        body: LoginBody,
        response: { 200: LoginResponse, ...errorResponses, 429: ErrorBody },
      },
    },
    async (req, reply) => {
      const { sessionId, ...session } = await signIn(publicContext(deps, req), req.body);
      setSessionCookie(req, reply, deps, session.token);
      return { ...session, csrfToken: app.csrfTokenFor(sessionId) };
    },
  );
  app.post(
    '/api/auth/logout',
    {
      config: { action: 'session.manage' },
      schema: {
        tags: ['auth'],
        summary: 'Revoke the current session token (and clear the session cookie)',
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (req, reply) => {
      await runInTransaction(deps, req, reply, (ctx) => logout(ctx), { status: 204 });
      reply.clearCookie(SESSION_COOKIE, sessionCookie(req, deps));
      return null;
    },
  );
  app.get(
    '/api/auth/me',
    {
      config: { action: 'session.read' },
      schema: {
        tags: ['auth'],
        summary: 'The signed-in user, with the CSRF token of this session and the actions the user may take',
        response: { 200: MeView, ...errorResponses },
      },
    },
    async (req) => {
      const ctx = readContext(deps, req);
      const user = await me(ctx);
      // The console asks the server what it may show instead of reading the permission table.
      const permissions = allowedActions(user.roles.filter(isRole));
      return { ...user, csrfToken: app.csrfTokenFor(ctx.actor.sessionId), permissions };
    },
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
  app.post(
    '/api/auth/password',
    {
      config: { action: 'session.password' },
      schema: {
        tags: ['auth'],
        summary:
          'Change your password (the current one is needed, and counts against the sign-in lockout); your other browser sessions end',
        body: ChangePasswordBody,
        response: { 204: Type.Null(), ...errorResponses, 429: ErrorBody },
      },
    },
    async (req, reply) => {
      await withinSignInBudget(deps.handle.db, deps.config, actorOf(req).email, () =>
        runInTransaction(deps, req, reply, (ctx) => changePassword(ctx, req.body), { status: 204 }),
      );
      return null;
    },
  );
  app.post(
    '/api/auth/sessions/revoke-all',
    {
      config: { action: 'session.manage' },
      schema: {
        tags: ['auth'],
        summary: 'Sign out everywhere: revoke every session and API token of yours, this one included',
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (req, reply) => {
      await runInTransaction(deps, req, reply, (ctx) => revokeAllSessions(ctx), { status: 204 });
      reply.clearCookie(SESSION_COOKIE, sessionCookie(req, deps));
      return null;
    },
  );
  app.post(
    '/api/auth/password-reset',
    {
      config: { public: true, throttle: 'login' },
      schema: {
        tags: ['auth'],
        summary:
          'E-mail a one-time password-reset link to this address if it has an account; always 202, whoever asks',
        security: [],
        body: PasswordResetBody,
        response: { 202: Type.Null(), ...errorResponses, 429: ErrorBody },
      },
    },
    async (req, reply) => {
      await requestPasswordReset(publicContext(deps, req), req.body);
      reply.status(202);
      return null;
    },
  );
  app.post(
    '/api/auth/set-password',
    {
      config: { public: true, throttle: 'login' },
      schema: {
        tags: ['auth'],
        summary:
          'Set a password with a one-time link (reset or new account): the link is spent and every session and API token of its user revoked',
        security: [],
        body: SetPasswordBody,
        response: { 204: Type.Null(), ...errorResponses, 410: ErrorBody, 429: ErrorBody },
      },
    },
    async (req, reply) => {
      await setPasswordWithLink(publicContext(deps, req), req.body);
      reply.status(204);
      return null;
    },
  );
}
