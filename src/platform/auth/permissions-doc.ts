import {
  DELEGATED_TASKS,
  DIRECTORY_ROLES,
  findDirectoryRole,
  rolesForTask,
  TASK_DESCRIPTIONS,
} from '../../domain/directory-roles.ts';
import { STEP_NEEDS } from '../../domain/planner/rights.ts';
import { ACTIONS, type Action, DELEGATED_TASK_OF, PERMISSIONS, ROLES } from './permissions.ts';

const both = (name: string) => `${name} (${findDirectoryRole(name)?.nameEs ?? name})`;

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
    "Acting on a customer's behalf (its users, licenses, direct subscriptions, credit requests) also needs",
    'delegated admin on that tenant (else **403** `delegated_admin_required`) and, through one of the',
    "user's security groups there, a directory role that allows the task (else **403** `delegated_role_required`):",
    'see [the second table](#delegated-admin-tasks) and docs/delegated-admin.md.',
    '',
    `| action | meaning | ${ROLES.join(' | ')} |`,
    `|---|---|${ROLES.map(() => ':-:').join('|')}|`,
  ];
  for (const action of Object.keys(ACTIONS) as Action[]) {
    const cells = ROLES.map((r) => (PERMISSIONS[r].includes(action) ? '✔' : ''));
    lines.push(`| \`${action}\` | ${ACTIONS[action]} | ${cells.join(' | ')} |`);
  }
  lines.push(
    '',
    '## Delegated admin tasks',
    '',
    'Generated from `DELEGATED_TASK_OF` (permissions.ts) and the directory roles list (src/domain/directory-roles.ts,',
    "data/directory-roles.csv). An action here needs its partner role above **and** a directory role of the user's",
    'security groups in that tenant (SPEC §10). Legacy DAP makes account admins and admin agents Global Administrators.',
    '',
    '| task | what it allows | actions | directory roles that allow it (English / Spanish) |',
    '|---|---|---|---|',
  );
  for (const task of DELEGATED_TASKS) {
    const actions = (Object.keys(DELEGATED_TASK_OF) as Action[]).filter((a) => DELEGATED_TASK_OF[a] === task);
    lines.push(
      `| \`${task}\` | ${TASK_DESCRIPTIONS[task]} | ${actions.map((a) => `\`${a}\``).join(', ') || '—'} | ${rolesForTask(task).map(both).join('; ')} |`,
    );
  }
  lines.push(
    '',
    '## Transition steps',
    '',
    'Each step runs with the rights of the user who applied the transition (SPEC §3.8), read again when it runs.',
    'A plan line lists `requiredRoles` (least privilege) and `appliedBy: { canApply, missing }` for the person planning.',
    '',
    '| step | partner action | directory role (least) |',
    '|---|---|---|',
  );
  for (const [step, needs] of Object.entries(STEP_NEEDS)) {
    const least = needs?.task ? both(rolesForTask(needs.task)[0]!) : '—';
    lines.push(`| \`${step}\` | ${needs ? `\`${needs.action}\`` : '— (platform)'} | ${least} |`);
  }
  lines.push(
    '',
    '## Directory roles',
    '',
    'The fixed list a GDAP grant may carry (`GET /api/delegated-admin/roles`); anything else is refused with **400**',
    '`unknown_directory_role`, and Global Administrator with auto-extend with **400** `global_admin_auto_extend`.',
    '',
    '| role | Spanish | tasks in Traslado | allows |',
    '|---|---|---|---|',
  );
  for (const r of DIRECTORY_ROLES)
    lines.push(
      `| ${r.name} | ${r.nameEs} | ${r.tasks.map((t) => `\`${t}\``).join(', ') || '—'} | ${r.allows} |`,
    );
  return `${lines.join('\n')}\n`;
}
