import { regionMismatch } from '../regions.ts';

/**
 * What must hold before anything is planned: the partner serves the tenant's region, the
 * relationship is accepted, and the caller's role may plan. Returned as a code with parameters;
 * the use case turns it into a DomainError.
 */
export interface PlanPreconditions {
  partnerRegion: string;
  tenantRegion: string;
  relationshipAccepted: boolean;
  canPlan: boolean;
}

export type PreconditionFailure =
  | { code: 'forbidden'; params: { action: string } }
  | { code: 'region_mismatch'; params: ReturnType<typeof regionMismatch> }
  | { code: 'relationship_required'; params: Record<string, never> };

export function checkPreconditions(p: PlanPreconditions): PreconditionFailure | null {
  if (!p.canPlan) return { code: 'forbidden', params: { action: 'transitions.plan' } };
  if (p.partnerRegion !== p.tenantRegion) {
    return {
      code: 'region_mismatch',
      params: regionMismatch(p.partnerRegion, p.tenantRegion),
    };
  }
  if (!p.relationshipAccepted) return { code: 'relationship_required', params: {} };
  return null;
}
