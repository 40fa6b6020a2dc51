import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { API_TYPES_FILE, apiTypesOf } from './api-types.ts';

const doc = JSON.parse(readFileSync(new URL('../openapi.json', import.meta.url), 'utf8'));

it('web/src/api-types.ts is generated from the committed openapi.json (run npm run docs:openapi)', async () => {
  expect(readFileSync(API_TYPES_FILE, 'utf8')).toBe(await apiTypesOf(doc));
});

it('the document names the shared schemas and the routes refer to them', () => {
  const schemas = doc.components.schemas as Record<string, unknown>;
  for (const name of [
    'Error',
    'Customer',
    'Subscription',
    'Offer',
    'Order',
    'Transition',
    'PlanLine',
    'Invoice',
  ])
    expect(schemas[name], name).toBeDefined();
  const customers = doc.paths['/api/customers'].get.responses;
  expect(customers['400'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Error' });
  // No schema is inlined twice under a made-up name.
  expect(Object.keys(schemas).filter((n) => n.startsWith('def-'))).toEqual([]);
});
