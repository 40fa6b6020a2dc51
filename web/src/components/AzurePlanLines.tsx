import { useTranslation } from 'react-i18next';
import type { AzureBlocker, AzureCheckLine } from '../api.ts';
import { StatusBadge } from './Status.tsx';

/** A blocker in the reader's language: its code names the sentence; the resource type fills it in. */
export function BlockerText({ b }: { b: AzureBlocker }) {
  const { t } = useTranslation();
  return (
    <li data-code={b.code}>
      <code>{b.code}</code>:{' '}
      {t(`azure.blockers.${b.code}`, { type: b.resourceType ?? '', defaultValue: b.description })}
      {!b.blocksSubscription && <span className="muted small"> ({t('azure.staysBehind')})</span>}
    </li>
  );
}

/** The Azure lines of a transition plan (SPEC §9): one per own subscription, its path and blockers. */
export function AzurePlanLines({ lines }: { lines: AzureCheckLine[] }) {
  const { t } = useTranslation();
  if (lines.length === 0) return null;
  return (
    <section aria-labelledby="plan-azure-h" data-testid="plan-azure">
      <h2 id="plan-azure-h">{t('azure.planLinesTitle')}</h2>
      {lines.map((l) => (
        <article
          key={l.subscriptionId}
          className="card"
          data-testid="plan-azure-line"
          data-subscription-id={l.subscriptionId}
          data-disposition={l.path === 'billing-transfer' ? 'azure-billing-transfer' : 'azure-resource-move'}
          data-eligible={String(l.eligible)}
        >
          <h3>
            {l.friendlyName} · {t(`azure.kinds.${l.kind}`, { defaultValue: l.kind })} →{' '}
            {t(`azure.paths.${l.path}`)}{' '}
            <StatusBadge status={l.azureTransferStatus ?? (l.eligible ? 'ready' : 'blocked')} />
          </h3>
          {l.blockers.length > 0 && (
            <ul className="plain small">
              {l.blockers.map((b) => (
                <BlockerText key={`${b.code}-${b.resourceId ?? ''}`} b={b} />
              ))}
            </ul>
          )}
        </article>
      ))}
    </section>
  );
}
