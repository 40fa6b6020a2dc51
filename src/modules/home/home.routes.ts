import { readContext } from '../../platform/http/run.ts';
import { errorResponses } from '../../platform/http/schemas.ts';
import type { App, ServerDeps } from '../../platform/http/server.ts';
import { HomeView } from './home.schemas.ts';
import { homeOf } from './home.service.ts';

export function registerHome(app: App, deps: ServerDeps) {
  app.get(
    '/api/home',
    {
      config: { action: 'customers.read' },
      schema: {
        tags: ['customers'],
        summary:
          'Your home for the whole book: what needs attention (expired first, then soonest to end; nothing already under way), transitions per group, pending relationship requests',
        response: { 200: HomeView, ...errorResponses },
      },
    },
    async (req) => homeOf(readContext(deps, req)),
  );
}
