import { type ReactNode, useEffect, useId, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from './Alert.tsx';

export interface ConfirmDialogProps {
  title: string;
  /** What will happen, in words and figures: the person decides on this. */
  children?: ReactNode;
  confirmLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
  /** The confirmed action is running: both buttons wait. */
  pending?: boolean;
  /** The action's failure, shown inside the dialog so the person can retry or cancel. */
  error?: Error | null;
  tone?: 'primary' | 'warn' | 'danger';
  /** Confirm stays disabled (e.g. the figures are still loading). */
  confirmDisabled?: boolean;
  testId?: string;
}

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/**
 * Asks before an action that spends money or cannot be undone. A modal `<dialog>` (the rest of the
 * page is inert while it is open): the focus starts on Cancel, Tab stays inside, Escape cancels,
 * and the focus goes back to the button that opened it. Nothing happens until Confirm.
 */
export function ConfirmDialog({
  title,
  children,
  confirmLabel,
  onConfirm,
  onCancel,
  pending,
  error,
  tone = 'primary',
  confirmDisabled,
  testId = 'confirm-dialog',
}: ConfirmDialogProps) {
  const { t } = useTranslation();
  const ref = useRef<HTMLDialogElement>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const titleId = useId();
  const bodyId = useId();
  // The latest handler and state, so the effect below runs once per opening.
  const cancel = useRef(onCancel);
  cancel.current = onCancel;
  const busy = useRef(pending);
  busy.current = pending;

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (!dialog.open) dialog.showModal();
    cancelRef.current?.focus();
    let closing = false;
    // Escape fires `cancel`: refused while the action runs, like the disabled Cancel button.
    const onCancelEvent = (e: Event) => {
      if (busy.current) e.preventDefault();
    };
    // However the browser closed it (Escape), that is a Cancel. The event comes a task after the
    // close: one left over from a cleanup that closed and a rerun that reopened (React's StrictMode
    // in development) finds the dialog open again, and is no Cancel.
    const onClose = () => {
      if (!closing && !dialog.open) cancel.current();
    };
    dialog.addEventListener('cancel', onCancelEvent);
    dialog.addEventListener('close', onClose);
    return () => {
      closing = true;
      dialog.removeEventListener('cancel', onCancelEvent);
      dialog.removeEventListener('close', onClose);
      if (dialog.open) dialog.close();
      // The opener may have gone (an applied plan's button); then the focus stays where it lands.
      if (opener?.isConnected) opener.focus();
    };
  }, []);

  // Tab and Shift+Tab wrap around inside the dialog (the browser would go on to its own toolbar).
  const onKeyDown = (e: React.KeyboardEvent<HTMLDialogElement>) => {
    if (e.key !== 'Tab' || !ref.current) return;
    const items = [...ref.current.querySelectorAll<HTMLElement>(FOCUSABLE)];
    const first = items[0];
    const last = items[items.length - 1];
    if (!first || !last) return;
    if (e.shiftKey && document.activeElement === first) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && document.activeElement === last) {
      e.preventDefault();
      first.focus();
    }
  };

  return (
    <dialog
      ref={ref}
      className="confirm-dialog"
      aria-modal="true"
      aria-labelledby={titleId}
      aria-describedby={bodyId}
      data-testid={testId}
      onKeyDown={onKeyDown}
    >
      <h2 id={titleId}>{title}</h2>
      <div id={bodyId} className="stack">
        {children}
      </div>
      <ErrorAlert error={error} />
      <div className="row dialog-actions">
        <button
          type="button"
          className={tone === 'primary' ? undefined : tone}
          disabled={pending || confirmDisabled}
          onClick={onConfirm}
        >
          {confirmLabel}
        </button>
        <button ref={cancelRef} type="button" className="secondary" disabled={pending} onClick={onCancel}>
          {t('common.cancel')}
        </button>
      </div>
    </dialog>
  );
}
