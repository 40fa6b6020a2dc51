import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../fixtures/app.ts';

/** The invitation link by e-mail, through a local SMTP sink that keeps what it receives. */
const received: { to: string[]; body: string }[] = [];
let sink: SMTPServer;
let t: TestApp;

beforeAll(async () => {
  sink = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, session, done) {
      let body = '';
      stream.on('data', (c: Buffer) => {
        body += c.toString();
      });
      stream.on('end', () => {
        received.push({ to: session.envelope.rcptTo.map((r) => r.address), body });
        done();
      });
    },
  });
  sink.listen(0, '127.0.0.1');
  await once(sink.server, 'listening');
  const port = (sink.server.address() as AddressInfo).port;
  t = await startTestApp({ smtpUrl: `smtp://127.0.0.1:${port}`, publicUrl: 'https://console.example' });
});
afterAll(async () => {
  await t?.close();
  sink?.close();
});

it('e-mails the invitation link to the customer when asked, and the link in the mail is the one that works', async () => {
  const p = await t.newPartner();
  const c = await t.newTenant();
  const created = await t.expectOk(
    {
      method: 'POST',
      url: '/api/relationship-requests',
      token: p.tokens['sales-agent'],
      body: { tenantId: c.tenant.id, email: `admin@${c.domain}` },
    },
    201,
  );
  expect(created.emailed).toBe(true);
  expect(received).toHaveLength(1);
  expect(received[0]!.to).toEqual([`admin@${c.domain}`]);
  const body = received[0]!.body.replace(/=\r?\n/g, '');
  expect(body).toContain(`https://console.example${created.url}`);
  // No e-mail asked: none sent, the copy-link stays the main path.
  const quiet = await t.expectOk(
    { method: 'POST', url: '/api/relationship-requests', token: p.tokens['sales-agent'], body: {} },
    201,
  );
  expect(quiet.emailed).toBeUndefined();
  expect(received).toHaveLength(1);
  await t.expectOk({ method: 'POST', url: `/api/invitations/${created.token}/accept`, token: c.adminToken });
});
