import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ACTIONS, can, PERMISSIONS, ROLES } from './permissions.ts';
import { renderPermissionsDoc } from './permissions-doc.ts';

describe('permission table', () => {
  it('is what docs/permissions.md says (run npm run docs:permissions after changing it)', () => {
    const doc = readFileSync(new URL('../../../docs/permissions.md', import.meta.url), 'utf8');
    expect(doc).toBe(renderPermissionsDoc());
  });

  it('names only known actions, and every action is held by some role', () => {
    const known = Object.keys(ACTIONS);
    for (const role of ROLES) for (const a of PERMISSIONS[role]) expect(known).toContain(a);
    for (const a of known) expect(ROLES.some((r) => can([r], a as keyof typeof ACTIONS))).toBe(true);
  });

  it("grants the union of a user's roles", () => {
    expect(can(['billing-agent'], 'relationships.request')).toBe(false);
    expect(can(['billing-agent', 'sales-agent'], 'relationships.request')).toBe(true);
    expect(can([], 'session.read')).toBe(false);
  });
});
