import { readFileSync, writeFileSync } from 'node:fs';
import openapiTS, { astToString, type OpenAPI3 } from 'openapi-typescript';

// The console's API types, generated from the committed OpenAPI document (web/src/api-types.ts).
// `npm run docs:openapi` writes both; test/e2e/api-types.test.ts fails when the file is stale.
const HEADER = `// Generated from openapi.json by scripts/api-types.ts (npm run gen:api-types): do not edit.
// The server's shared response schemas are under components['schemas'] (src/api-components.ts).

`;

export const API_TYPES_FILE = new URL('../web/src/api-types.ts', import.meta.url);

/** The text of web/src/api-types.ts for an OpenAPI document. */
export async function apiTypesOf(doc: unknown): Promise<string> {
  const ast = await openapiTS(doc as OpenAPI3, { alphabetize: true });
  return HEADER + astToString(ast);
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/^.*\/scripts\//, '/scripts/'))) {
  const doc = JSON.parse(readFileSync(new URL('../openapi.json', import.meta.url), 'utf8'));
  writeFileSync(API_TYPES_FILE, await apiTypesOf(doc));
  console.log('web/src/api-types.ts written');
}
