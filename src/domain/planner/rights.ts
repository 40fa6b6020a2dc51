import { allowsTask, type DelegatedTask, TASK_LEAST_ROLE } from '../directory-roles.ts';
import type { Plan, PlanRights, TimelineStep } from './types.ts';

/**
 * What each transition step needs from the user it runs as (SPEC §3.8): a partner action (the
 * partner permission table) and, for a step inside the customer's tenant, the delegated-admin task
 * (the second table: directory roles). Steps given to the customer or another party need nothing
 * from the partner; dated observations need nothing at all.
 */
export const STEP_NEEDS: Record<TimelineStep['step'], { action: string; task?: DelegatedTask } | null> = {
  provision: { action: 'orders.create' },
  'assign-target-licenses': { action: 'licenses.manage', task: 'assign-licenses' },
  'remove-source-licenses': { action: 'licenses.manage', task: 'assign-licenses' },
  'turn-off-auto-renew': { action: 'subscriptions.manage-direct', task: 'billing' },
  'cancel-source': { action: 'subscriptions.manage-direct', task: 'billing' },
  'file-credit-request': { action: 'credits.file', task: 'billing' },
  'source-expires': null,
  'source-disabled': null,
  'source-deleted': null,
  'other-party-action': null,
  // Asking the partner of record (SPEC §7) acts on no tenant: the partner permission alone.
  'request-transfer': { action: 'transfers.request' },
};

/** What one step lacks for a user with these rights: partner roles, then directory roles (empty: may run it). */
export function stepMissing(step: TimelineStep['step'], rights: PlanRights): string[] {
  const needs = STEP_NEEDS[step];
  if (!needs) return [];
  const missing: string[] = [];
  if (!rights.actions.includes(needs.action))
    missing.push(rights.partnerRoleOf[needs.action] ?? needs.action);
  if (needs.task && !allowsTask(rights.roles, needs.task)) missing.push(TASK_LEAST_ROLE[needs.task]);
  return missing;
}

/** Does the plan give this step to the partner (not to the customer or another party)? */
export function isPartnerStep(plan: Pick<Plan, 'lines'>, step: TimelineStep): boolean {
  if (step.actor !== 'partner') return false;
  const line = plan.lines[step.lineIndex];
  // License moves the plan hands to the customer keep the partner as their nominal actor.
  if (
    (step.step === 'assign-target-licenses' || step.step === 'remove-source-licenses') &&
    line?.reasons.some((r) => r.code === 'line.reassign-by-customer')
  )
    return false;
  return true;
}

/** Per line, the directory roles its partner steps need. */
export function requiredRolesOf(
  timeline: TimelineStep[],
  plan: Pick<Plan, 'lines'>,
  lineIndex: number,
): string[] {
  const roles: string[] = [];
  for (const s of timeline) {
    if (s.lineIndex !== lineIndex || !isPartnerStep(plan, s)) continue;
    const task = STEP_NEEDS[s.step]?.task;
    if (task && !roles.includes(TASK_LEAST_ROLE[task])) roles.push(TASK_LEAST_ROLE[task]);
  }
  return roles;
}

/** What a user lacks to run every partner step of the plan (or of one line): empty when they may apply it. */
export function planMissing(
  plan: Pick<Plan, 'lines' | 'timeline'>,
  rights: PlanRights,
  lineIndex?: number,
): string[] {
  const missing: string[] = [];
  for (const s of plan.timeline) {
    if (lineIndex !== undefined && s.lineIndex !== lineIndex) continue;
    if (!isPartnerStep(plan, s)) continue;
    for (const m of stepMissing(s.step, rights)) if (!missing.includes(m)) missing.push(m);
  }
  return missing;
}

/**
 * Who does a task the partner could do in the customer's tenant (SPEC §3.8): the partner when the
 * planning user holds the directory role; the customer when it does not (as without delegated
 * admin); and still the partner — a colleague — when only the partner role is missing (a sales
 * agent cannot move licenses whatever its groups hold): the plan then says it cannot apply.
 */
export function taskByPartner(
  hasDelegatedAdmin: boolean,
  rights: PlanRights | undefined,
  action: string,
  task: DelegatedTask,
): boolean {
  if (!hasDelegatedAdmin) return false;
  if (!rights) return true;
  if (!rights.actions.includes(action)) return true;
  return allowsTask(rights.roles, task);
}
