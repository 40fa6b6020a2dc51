import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ACTION_NAMES } from '../../../web/src/actions.ts';
import { ACTIONS, allowedActions, can, PERMISSIONS, ROLES } from './permissions.ts';
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

  it('the console names exactly these actions (web/src/actions.ts)', () => {
    expect([...ACTION_NAMES]).toEqual(Object.keys(ACTIONS));
  });

  it("lists the actions a user's roles allow, as /api/auth/me answers them", () => {
    expect(allowedActions([])).toEqual([]);
    const admin = allowedActions(['account-admin']);
    expect(admin).toContain('partner.manage-users');
    expect(admin).not.toContain('operator.clock');
    for (const role of ROLES) {
      expect(allowedActions([role])).toEqual(
        Object.keys(ACTIONS).filter((a) => PERMISSIONS[role].includes(a as never)),
      );
    }
    expect(allowedActions(['billing-agent', 'sales-agent'])).toContain('relationships.request');
  });

  it("grants the union of a user's roles", () => {
    expect(can(['billing-agent'], 'relationships.request')).toBe(false);
    expect(can(['billing-agent', 'sales-agent'], 'relationships.request')).toBe(true);
    expect(can([], 'session.read')).toBe(false);
  });
});
