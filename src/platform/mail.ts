import nodemailer from 'nodemailer';
import type { Config } from './config.ts';

/**
 * Outgoing e-mail through SMTP (`SMTP_URL`, e.g. smtp://user:pass@mail.example.com:587). Optional:
 * without it nothing is sent and the console's copy-link is the way to share an invitation.
 * Sending happens after the change has committed, never inside a transaction.
 */
export interface Mail {
  to: string;
  subject: string;
  text: string;
}

export function mailEnabled(config: Config): boolean {
  return !!config.smtpUrl;
}

export async function sendMail(config: Config, mail: Mail): Promise<void> {
  if (!config.smtpUrl) throw new Error('SMTP_URL is not set');
  const transport = nodemailer.createTransport(config.smtpUrl);
  try {
    await transport.sendMail({ from: config.mailFrom, ...mail });
  } finally {
    transport.close();
  }
}
