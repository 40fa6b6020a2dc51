/**
 * A response schema as the serialiser is given it (the OpenAPI document keeps the original).
 * fast-json-stringify serialises an `anyOf` by running a schema validator on the value for each
 * branch until one matches: a union of string literals (a state, a channel, a term) and a value
 * or null (a date not yet set) cost a validator run, date-time format checks included, for every
 * field of every item on every answer. Both are written the same way by their plain forms:
 * - a union of string literals → `{ type: 'string', enum }`;
 * - a union of one scalar schema and null → that schema with `type: [its type, 'null']`.
 * Other unions are left as they are. What is given up: a value outside the union (a state no
 * literal names, a number where a string belongs) no longer fails the answer with a 500; it is
 * written (as a string, or converted as fast-json-stringify converts a scalar). The views' types
 * keep such values out, and the property test checks every value inside gives the same text.
 */
export function forSerializer<T>(schema: T): T {
  return simplified(schema) as T;
}

const SCALARS = new Set(['string', 'integer', 'number', 'boolean']);
type Node = Record<string, unknown>;

const isNode = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNull = (b: Node) => b.type === 'null' && Object.keys(b).length === 1;
const isStringLiteral = (b: Node) =>
  typeof b.const === 'string' &&
  Object.keys(b).every((k) => k === 'const' || k === 'type') &&
  (b.type ?? 'string') === 'string';
const isScalar = (b: Node) =>
  typeof b.type === 'string' && SCALARS.has(b.type) && !('anyOf' in b) && !('oneOf' in b) && !('$ref' in b);

function simplified(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(simplified);
  if (!isNode(value)) return value;
  // Own string keys only: TypeBox's symbol keys mean nothing to the serialiser.
  const out: Node = {};
  for (const [k, v] of Object.entries(value)) out[k] = simplified(v);
  const branches = out.anyOf;
  if (!Array.isArray(branches) || branches.length === 0 || !branches.every(isNode)) return out;
  const { anyOf: _, ...rest } = out;
  if (branches.every(isStringLiteral)) return { ...rest, type: 'string', enum: branches.map((b) => b.const) };
  if (branches.length === 2) {
    const [a, b] = branches as [Node, Node];
    const scalar = isNull(a) ? b : isNull(b) ? a : undefined;
    if (scalar && isScalar(scalar)) return { ...rest, ...scalar, type: [scalar.type, 'null'] };
  }
  return out;
}
