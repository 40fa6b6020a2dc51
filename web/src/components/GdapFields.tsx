import { useTranslation } from 'react-i18next';
import { api } from '../api.ts';
import { useLoad } from '../hooks.ts';
import { NumberField, type NumberFieldState } from './NumberField.tsx';

/** The bounds the API sets on a GDAP duration; `days.read()` checks them before anything is sent. */
export const GDAP_DAYS = { min: 1, max: 730, maxFractionDigits: 0 };

/** What a transition needs: License Administrator moves licenses, Billing Administrator turns auto-renew off and files credits. */
export const DEFAULT_GDAP_ROLES = ['License Administrator', 'Billing Administrator'];

interface DirectoryRole {
  name: string;
  nameEs: string;
  allows: string;
  allowsEs: string;
}
interface RoleList {
  items: DirectoryRole[];
  templates: { id: string; roles: string[] }[];
}

/**
 * Directory roles by their name in the console's language ("Administrador de licencias"): the API
 * and grants carry the English names, which a Spanish page must not show.
 */
export function useRoleNames(): (roles: readonly string[]) => string {
  const { t } = useTranslation();
  return (roles) => roles.map((name) => t(`directoryRoles.${name}`, { defaultValue: name })).join(', ');
}

/**
 * The roles and duration of a GDAP request (1 to 730 days), shared by every form that asks for it.
 * Roles are picked from the fixed list (GET /api/delegated-admin/roles), least-privilege templates
 * first, never typed: a name off the list would be refused anyway.
 */
export function GdapFields(props: {
  idPrefix: string;
  roles: string[];
  onRoles: (value: string[]) => void;
  days: NumberFieldState;
  rolesHelp?: boolean;
}) {
  const { t, i18n } = useTranslation();
  const list = useLoad(() => api<RoleList>('/api/delegated-admin/roles'), []);
  const es = i18n.language.startsWith('es');
  const label = (r: DirectoryRole) => (es ? r.nameEs : r.name);
  return (
    <>
      <fieldset className="field">
        <legend className="muted small">{t('gdap.templates')}</legend>
        <div className="actions">
          {(list.data?.templates ?? []).map((tpl) => (
            <button
              key={tpl.id}
              type="button"
              className="secondary"
              data-testid="gdap-template"
              data-template={tpl.id}
              aria-pressed={tpl.roles.every((r) => props.roles.includes(r))}
              onClick={() => props.onRoles([...new Set([...props.roles, ...tpl.roles])])}
            >
              {t(`gdap.template.${tpl.id}`)}
            </button>
          ))}
          <button type="button" className="secondary" onClick={() => props.onRoles([])}>
            {t('gdap.clear')}
          </button>
        </div>
      </fieldset>
      <div className="field">
        <label htmlFor={`${props.idPrefix}-roles`}>{t('relationships.roles')}</label>
        <select
          id={`${props.idPrefix}-roles`}
          multiple
          size={8}
          value={props.roles}
          onChange={(e) => props.onRoles([...e.target.selectedOptions].map((o) => o.value))}
          required
        >
          {(list.data?.items ?? []).map((r) => (
            <option key={r.name} value={r.name} title={es ? r.allowsEs : r.allows}>
              {label(r)}
            </option>
          ))}
        </select>
        {props.rolesHelp && <span className="muted small">{t('relationships.rolesHelp')}</span>}
      </div>
      <NumberField
        id={`${props.idPrefix}-days`}
        label={t('relationships.duration')}
        field={props.days}
        decimal={false}
        required
      />
    </>
  );
}
