/**
 * Email delivery behind one small interface. Locally (and in tests) messages are written to the
 * server log and kept in a short in-memory outbox that tests read; in production, set
 * MAIL_WEBHOOK_URL (and MAIL_WEBHOOK_TOKEN) to hand each message to a real transport as JSON
 * `{ to, subject, text, html? }` — a provider's HTTP API or a small relay.
 */

export interface Mail {
  to: string;
  subject: string;
  text: string;
  /** The same message as simple HTML, for mail clients that show it (alerts and digests have one). */
  html?: string;
}

export interface Mailer {
  send(mail: Mail): Promise<void>;
}

/** The last messages sent by the log transport, newest last (for tests and local use). */
export const outbox: Mail[] = [];
const OUTBOX_SIZE = 50;

/** Writes each message to the log, with its links, for local development and tests. */
const logMailer: Mailer = {
  async send(mail) {
    outbox.push(mail);
    if (outbox.length > OUTBOX_SIZE) outbox.shift();
    // The text part only: the HTML part says the same, and the log stays readable.
    const html = mail.html ? `\n(also sent as HTML, ${mail.html.length} characters)` : '';
    console.log(`[mail] to=${mail.to} subject=${JSON.stringify(mail.subject)}\n${mail.text}${html}`);
  },
};

/** Posts each message to an HTTP endpoint that delivers it. */
function webhookMailer(url: string, token: string | undefined): Mailer {
  return {
    async send(mail) {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(mail),
      });
      if (!res.ok) throw new Error(`mail transport answered ${res.status}`);
    },
  };
}

/** The transport configured for this deployment. */
export function mailerFor(env: { MAIL_WEBHOOK_URL?: string; MAIL_WEBHOOK_TOKEN?: string }): Mailer {
  return env.MAIL_WEBHOOK_URL ? webhookMailer(env.MAIL_WEBHOOK_URL, env.MAIL_WEBHOOK_TOKEN) : logMailer;
}
