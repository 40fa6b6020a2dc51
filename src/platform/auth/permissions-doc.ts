import { ACTIONS, type Action, PERMISSIONS, ROLES } from './permissions.ts';

/** Renders the permission table as Markdown for docs/permissions.md (kept in sync by a test). */
export function renderPermissionsDoc(): string {
  const lines = [
    '# Permissions',
    '',
    'Generated from `src/platform/auth/permissions.ts` by `npm run docs:permissions`; a test fails when this',
    'file and the table disagree. Every route declares one action; the request guard checks it for the',
    "caller's roles (a user may hold several) before anything else runs, then checks tenant scope:",
    '',
    '- a partner reaches a `{tenantId}` only with an accepted reseller relationship, else **404** (existence stays private);',
    "- a customer's users reach only their own tenant (**404** otherwise); the operator reaches every tenant;",
    '- a role without the action gets **403** `forbidden`; no token gets **401** `unauthenticated`.',
    '',
    "Acting on a customer's behalf (its users, licenses, credit requests) also needs delegated admin on that",
    'tenant: without it the answer is **403** `delegated_admin_required`.',
    '',
    `| action | meaning | ${ROLES.join(' | ')} |`,
    `|---|---|${ROLES.map(() => ':-:').join('|')}|`,
  ];
  for (const action of Object.keys(ACTIONS) as Action[]) {
    const cells = ROLES.map((r) => (PERMISSIONS[r].includes(action) ? '✔' : ''));
    lines.push(`| \`${action}\` | ${ACTIONS[action]} | ${cells.join(' | ')} |`);
  }
  return `${lines.join('\n')}\n`;
}
