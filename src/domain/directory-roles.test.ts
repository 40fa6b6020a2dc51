import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import {
  allowsTask,
  checkGrantRoles,
  DIRECTORY_ROLES,
  findDirectoryRole,
  rolesForTask,
  TASK_LEAST_ROLE,
} from './directory-roles.ts';

const csv = parse(readFileSync(new URL('../../data/directory-roles.csv', import.meta.url), 'utf8'), {
  columns: true,
}) as {
  name: string;
  templateId: string;
  nameEs: string;
  traslado_tasks: string;
  leastPrivilegeNote: string;
}[];

describe('directory roles', () => {
  it('is the list shipped in data/, row for row', () => {
    expect(DIRECTORY_ROLES.map((r) => [r.name, r.templateId, r.nameEs, r.tasks.join(';'), r.allows])).toEqual(
      csv.map((r) => [r.name, r.templateId, r.nameEs, r.traslado_tasks, r.leastPrivilegeNote]),
    );
  });

  it('names at least the roles SPEC §10 lists, each with a Spanish name', () => {
    for (const name of [
      'Global Administrator',
      'User Administrator',
      'License Administrator',
      'Billing Administrator',
      'Service Support Administrator',
      'Helpdesk Administrator',
      'Directory Readers',
      'Global Reader',
      'Exchange Administrator',
      'SharePoint Administrator',
      'Teams Administrator',
    ])
      expect(findDirectoryRole(name)?.nameEs).toBeTruthy();
  });

  it('gives each task the roles SPEC §10 says, and no others', () => {
    expect(rolesForTask('assign-licenses').sort()).toEqual(
      ['Global Administrator', 'License Administrator', 'User Administrator'].sort(),
    );
    expect(rolesForTask('billing').sort()).toEqual(['Billing Administrator', 'Global Administrator'].sort());
    expect(allowsTask(['Directory Readers'], 'assign-licenses')).toBe(false);
    expect(allowsTask(['Directory Readers'], 'read-users')).toBe(true);
    expect(allowsTask(['Exchange Administrator'], 'read-users')).toBe(false);
    expect(allowsTask(['Billing Administrator'], 'assign-licenses')).toBe(false);
    expect(allowsTask(['License Administrator'], 'billing')).toBe(false);
    for (const [task, role] of Object.entries(TASK_LEAST_ROLE))
      expect(allowsTask([role], task as keyof typeof TASK_LEAST_ROLE)).toBe(true);
  });

  it('refuses unknown roles and Global Administrator with auto-extend', () => {
    expect(checkGrantRoles(['Banana Reader'], false)).toEqual({
      code: 'unknown_directory_role',
      roles: ['Banana Reader'],
    });
    expect(checkGrantRoles(['Global Administrator'], true)).toEqual({ code: 'global_admin_auto_extend' });
    expect(checkGrantRoles(['Global Administrator'], false)).toBeNull();
    expect(checkGrantRoles(['license administrator'], true)).toBeNull();
  });
});
