import { useTranslation } from 'react-i18next';
import { NumberField, type NumberFieldState } from './NumberField.tsx';

/** The bounds the API sets on a GDAP duration; `days.read()` checks them before anything is sent. */
export const GDAP_DAYS = { min: 1, max: 730, maxFractionDigits: 0 };

/** The roles and duration of a GDAP request (1 to 730 days), shared by every form that asks for it. */
export function GdapFields(props: {
  idPrefix: string;
  roles: string;
  onRoles: (value: string) => void;
  days: NumberFieldState;
  rolesHelp?: boolean;
}) {
  const { t } = useTranslation();
  return (
    <>
      <div className="field">
        <label htmlFor={`${props.idPrefix}-roles`}>{t('relationships.roles')}</label>
        <input
          id={`${props.idPrefix}-roles`}
          value={props.roles}
          onChange={(e) => props.onRoles(e.target.value)}
          required
        />
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
