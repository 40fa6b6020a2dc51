// The planning worker under the TypeScript sources (tsx): a worker thread starts without the
// parent's loader hooks, so it registers tsx before importing the worker itself. The bundle has
// its own entry instead (dist/plan-worker.mjs, scripts/cli-bundle.mjs).
import { register } from 'tsx/esm/api';

register();
await import('./transitions.plan-worker.ts');
