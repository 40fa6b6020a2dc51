import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';
import { Type } from '@sinclair/typebox';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DateTime } from './schemas.ts';
import { forSerializer } from './serializer-schema.ts';

const State = Type.Union([Type.Literal('active'), Type.Literal('expired'), Type.Literal('deleted')]);
const Item = Type.Object({
  id: Type.String(),
  status: State,
  nextChangeAt: Type.Union([DateTime, Type.Null()]),
  currency: Type.Union([Type.Null(), Type.String()]),
  unitPrice: Type.Union([Type.Integer(), Type.Null()]),
  grant: Type.Union([Type.Object({ name: Type.String() }), Type.Null()]),
  count: Type.Optional(Type.Integer()),
});
const Page = Type.Object({ items: Type.Array(Item), total: Type.Integer() });

const compile = (schema: unknown) =>
  SerializerSelector()({}, {})({ schema, method: 'GET', url: '/', httpStatus: '200' } as never) as (
    doc: unknown,
  ) => string;

describe('forSerializer', () => {
  it('writes unions of string literals and of a scalar or null in their plain forms, other unions as they are', () => {
    const plain = forSerializer(Page) as unknown as {
      properties: { items: { items: { properties: Record<string, unknown> } } };
    };
    const props = plain.properties.items.items.properties;
    expect(props.status).toEqual({ type: 'string', enum: ['active', 'expired', 'deleted'] });
    expect(props.nextChangeAt).toEqual({ type: ['string', 'null'], format: 'date-time', maxLength: 40 });
    expect(props.currency).toEqual({ type: ['string', 'null'] });
    expect(props.unitPrice).toEqual({ type: ['integer', 'null'] });
    expect(props.grant).toHaveProperty('anyOf');
    // The schema given is left as it was (the OpenAPI document is built from it).
    expect(Page.properties.items.items.properties.status).toHaveProperty('anyOf');
  });

  it('serialises every answer exactly as the schema it came from', () => {
    const ours = compile(forSerializer(Page));
    const theirs = compile(Page);
    const when = fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true });
    const item = fc.record(
      {
        id: fc.string(),
        status: fc.constantFrom('active', 'expired', 'deleted'),
        nextChangeAt: fc.option(
          when.map((d) => d.toISOString()),
          { nil: null },
        ),
        currency: fc.option(fc.string(), { nil: null }),
        unitPrice: fc.option(fc.integer(), { nil: null }),
        grant: fc.option(fc.record({ name: fc.string() }), { nil: null }),
        count: fc.integer(),
      },
      { requiredKeys: ['id', 'status', 'nextChangeAt', 'currency', 'unitPrice', 'grant'] },
    );
    fc.assert(
      fc.property(fc.record({ items: fc.array(item, { maxLength: 5 }), total: fc.nat() }), (doc) => {
        const text = ours(doc);
        expect(text).toBe(theirs(doc));
        expect(JSON.parse(text)).toEqual(doc);
      }),
      { numRuns: 500 },
    );
  });
});
