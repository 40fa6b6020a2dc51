import { useTranslation } from 'react-i18next';

/** The roles and duration of a GDAP request (1 to 730 days), shared by every form that asks for it. */
export function GdapFields(props: {
  idPrefix: string;
  roles: string;
  onRoles: (value: string) => void;
  days: string;
  onDays: (value: string) => void;
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
      <div className="field">
        <label htmlFor={`${props.idPrefix}-days`}>{t('relationships.duration')}</label>
        <input
          id={`${props.idPrefix}-days`}
          type="number"
          min={1}
          max={730}
          value={props.days}
          onChange={(e) => props.onDays(e.target.value)}
          required
        />
      </div>
    </>
  );
}
