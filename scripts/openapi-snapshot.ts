import { writeFileSync } from 'node:fs';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/platform/config.ts';
import { openPGlite } from '../src/platform/db/connect.ts';
import { ensurePGliteTemplate } from '../src/platform/db/template.ts';
import { createLogger } from '../src/platform/log.ts';
import { API_TYPES_FILE, apiTypesOf } from './api-types.ts';

// Writes the committed OpenAPI snapshot; a test diffs the served document against it, so any
// contract change shows up in review.
const handle = await openPGlite({ loadDataDir: await ensurePGliteTemplate() });
const { app } = await buildApp({ handle, config: loadConfig({}), log: createLogger('silent') });
const doc = app.swagger();
writeFileSync(new URL('../openapi.json', import.meta.url), `${JSON.stringify(doc, null, 2)}\n`);
await app.close();
await handle.close();
writeFileSync(API_TYPES_FILE, await apiTypesOf(doc));
console.log('openapi.json and web/src/api-types.ts written');
