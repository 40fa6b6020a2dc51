import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';

/** A read-only field with a copy button: the way an invitation link leaves the console. */
export function CopyField({ label, value, testId }: { label: string; value: string; testId?: string }) {
  const { t } = useTranslation();
  const id = useId();
  const [copied, setCopied] = useState<'yes' | 'no' | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied('yes');
    } catch {
      // Clipboard may be refused (no permission, plain http): select the text for a manual copy.
      (document.getElementById(id) as HTMLInputElement | null)?.select();
      setCopied('no');
    }
  };
  return (
    <div className="field copy-field">
      <label htmlFor={id}>{label}</label>
      <div className="row">
        <input id={id} readOnly value={value} data-testid={testId} onFocus={(e) => e.target.select()} />
        <button type="button" onClick={() => void copy()}>
          {t('common.copyLink')}
        </button>
      </div>
      <span role="status" className="muted">
        {copied === 'yes' ? t('common.copied') : copied === 'no' ? t('common.copyManually') : ''}
      </span>
    </div>
  );
}
