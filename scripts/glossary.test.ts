import { describe, expect, it } from 'vitest';
import { DIRECTORY_ROLES } from '../src/domain/directory-roles.ts';
import { MESSAGES } from '../src/domain/planner/messages.ts';
import type { Reason } from '../src/domain/planner/types.ts';
import { ACTIONS } from '../src/platform/auth/permissions.ts';
import { actionText, roleName, statusWord } from '../src/platform/error-words.ts';
import { describeError, ERROR_TABLE } from '../src/platform/http/error-table.ts';
import { SAMPLE_ERROR_PARAMS } from '../src/platform/http/sample-error-params.ts';
import en from '../web/src/i18n/en.json' with { type: 'json' };
import es from '../web/src/i18n/es.json' with { type: 'json' };
import { loadGlossary, parseGlossary, rejectedIn } from './glossary.ts';

const terms = loadGlossary();

function flatten(obj: unknown, prefix = '', out: Record<string, string> = {}): Record<string, string> {
  if (typeof obj === 'string') out[prefix] = obj;
  else if (obj && typeof obj === 'object')
    for (const [k, v] of Object.entries(obj)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  return out;
}

/** Params for the planner's reasons: every key some message reads, with plausible values. */
const FULL: Reason['params'] = {
  at: '2026-03-01T00:00:00.000Z',
  on: '2026-03-01T00:00:00.000Z',
  until: '2026-03-01T00:00:00.000Z',
  closedOn: '2026-02-01T00:00:00.000Z',
  amount: 12000,
  amountNow: 24000,
  currency: 'EUR',
  offer: 'Microsoft 365 E3',
  offerId: 'o-1',
  product: 'Microsoft 365 E3',
  workloads: ['files', 'project'],
  workload: 'mailbox',
  capability: 'voice',
  names: ['Teams Phone'],
  transitions: ['t-1'],
  transitionId: 't-1',
  by: 'partner',
  users: 3,
  lines: 2,
  active: 26,
  max: 25,
  min: 1,
  quantity: 5,
  assigned: 4,
  pool: 3,
  from: '50 GB',
  to: '2 GB',
  skuId: 'sku-1',
  skuName: 'Microsoft 365 E3',
  market: 'ES',
};
const PLANNER_PARAMS: Reason['params'][] = [FULL, { ...FULL, by: 'customer', transitionId: '' }];

/** Every Spanish text people read, each with where it comes from. */
function spanishTexts(): { where: string; text: string }[] {
  const out: { where: string; text: string }[] = [];
  for (const [key, text] of Object.entries(flatten(es))) out.push({ where: `es.json ${key}`, text });
  for (const [code, render] of Object.entries(MESSAGES.es))
    for (const params of PLANNER_PARAMS) out.push({ where: `planner ${code}`, text: render(params) });
  for (const code of Object.keys(ERROR_TABLE) as (keyof typeof ERROR_TABLE)[])
    for (const params of [{}, SAMPLE_ERROR_PARAMS])
      out.push({ where: `error ${code}`, text: describeError(code, params, 'es').description });
  for (const action of Object.keys(ACTIONS))
    out.push({ where: `error-words action ${action}`, text: actionText(action, 'es') ?? '' });
  for (const role of Object.keys(flatten(es.roles)))
    out.push({ where: `error-words role ${role}`, text: roleName(role, 'es') });
  for (const status of ['expired', 'pending', 'accepted', 'active', 'cancelled', 'suspended'])
    out.push({ where: `error-words status ${status}`, text: statusWord(status, 'es') });
  return out;
}

describe('the glossary (docs/glossary.md)', () => {
  it('parses into terms, with the Partner Center terms and their rejected variants', () => {
    expect(terms.length).toBeGreaterThan(20);
    const es = terms.map((t) => t.es);
    for (const must of [
      'Administrador de cuentas',
      'Agente de administrador',
      'Agente de ventas',
      'Agente de facturación',
      'privilegios de administrador delegado',
      'relación de revendedor',
      'inquilino',
      'licencias',
    ])
      expect(es).toContain(must);
    const rejected = terms.flatMap((t) => t.rejected);
    for (const must of ['caduca', 'caducada', 'vence', 'vencida', 'puestos', 'Administrador de la cuenta'])
      expect(rejected).toContain(must);
    expect(rejected).toContain('administración delegada');
  });

  it('finds a rejected variant as a whole word, any case, and not inside another word', () => {
    expect(rejectedIn('La suscripción caduca el lunes.', terms).map((f) => f.variant)).toEqual(['caduca']);
    expect(rejectedIn('Puestos asignados', terms).map((f) => f.preferred)).toEqual(['licencias']);
    expect(rejectedIn('Pida administración\ndelegada al cliente', terms)).toHaveLength(1);
    expect(rejectedIn('Administrador de cuentas; licencias; expirada', terms)).toEqual([]);
    // "vence" inside "convence" is not the word.
    expect(rejectedIn('Esto convence a todos', terms)).toEqual([]);
  });

  it('refuses a table it cannot read', () => {
    expect(() => parseGlossary('# nothing here')).toThrow(/Terms/);
    expect(() => parseGlossary('## Terms\n\n| a | b |\n|---|---|\n')).toThrow(/three columns/);
  });

  it('no Spanish text people read uses a rejected variant (es.json, planner reasons, server errors)', () => {
    const texts = spanishTexts();
    expect(texts.length).toBeGreaterThan(1000);
    const findings = texts.flatMap(({ where, text }) =>
      rejectedIn(text, terms).map((f) => `${where}: "${f.variant}" (say "${f.preferred}") in …${f.excerpt}…`),
    );
    expect([...new Set(findings)]).toEqual([]);
  });

  it('the console names every directory role in Spanish as the domain does, and says what it allows in Spanish', () => {
    expect(DIRECTORY_ROLES.length).toBeGreaterThan(20);
    for (const r of DIRECTORY_ROLES) {
      expect((en.directoryRoles as Record<string, string>)[r.name], r.name).toBe(r.name);
      expect((es.directoryRoles as Record<string, string>)[r.name], r.name).toBe(r.nameEs);
      expect(r.allowsEs, r.name).not.toBe(r.allows);
      expect(rejectedIn(`${r.nameEs} ${r.allowsEs}`, terms), r.name).toEqual([]);
    }
  });
});
