// Reading the mail that the local transport (worker/mail.ts) writes to wrangler's output: a line
// `[mail] to=… subject="…"`, then the text, up to wrangler's next line of its own. The scripts and
// the browser tests sign up the way people do, by opening the confirmation link in that mail.
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

const MAIL = /^\[mail\] to=(\S+) subject=(".*")$/;
const WRANGLER = /^\[wrangler:/;
/** How long the last mail in the log must stay unchanged to count as whole (see `next`). */
const STILL_MS = 250;

/**
 * The mail in a stretch of wrangler's output, oldest first. A mail is `ended` once a line after it
 * (wrangler's own, or the next mail) shows that its text is all there.
 * @param {string} log
 * @returns {{ to: string, subject: string, text: string, ended: boolean }[]}
 */
export function mailIn(log) {
  const mails = [];
  let current = null;
  for (const line of log.split('\n')) {
    const start = MAIL.exec(line);
    if (current && (start || WRANGLER.test(line))) current.ended = true;
    if (start) {
      current = { to: start[1], subject: JSON.parse(start[2]), text: '', ended: false };
      mails.push(current);
    } else if (current && !WRANGLER.test(line)) {
      current.text += `${line}\n`;
    } else {
      current = null;
    }
  }
  return mails;
}

/** The token of a link to `path` (e.g. `/confirm-signup`) in a mail's text, or null. */
export function linkToken(text, path) {
  return new RegExp(`${path}#token=(\\S+)`).exec(text)?.[1] ?? null;
}

/**
 * A mailbox over wrangler's output, read by `read()` (the whole of it so far) on each look.
 * `count(to)` before a request and `next(to, count)` after it give the mail that request caused.
 * @param {() => string} read
 */
export function mailbox(read) {
  const to = (address) => mailIn(read()).filter((mail) => mail.to === address.toLowerCase());
  return {
    /** How many mails went to `address` so far. */
    count: (address) => to(address).length,
    /**
     * The mail to `address` after the first `after` of them, waiting for it (it is sent after the
     * answer) and for all of its text: the log arrives in pieces, and a mail read halfway through
     * its link gave a test a cut token ("confirmation link not valid"). The last mail in the log has
     * no line after it yet: it counts as whole once its text has not grown for STILL_MS.
     */
    async next(address, after, timeoutMs = 15_000) {
      let seen = null;
      let stillSince = 0;
      for (const began = Date.now(); Date.now() - began < timeoutMs; await new Promise((r) => setTimeout(r, 50))) {
        const mail = to(address)[after];
        if (!mail) continue;
        if (mail.ended) return mail;
        if (mail.text !== seen) [seen, stillSince] = [mail.text, Date.now()];
        else if (Date.now() - stillSince >= STILL_MS) return mail;
      }
      throw new Error(`no whole mail to ${address} within ${timeoutMs / 1000} s`);
    },
  };
}

/** A mailbox over a log file that wrangler writes to. */
export const fileMailbox = (path) => mailbox(() => readFileSync(path, 'utf8'));

/**
 * A mailbox over a stream of wrangler's stdout, keeping only the mail lines (a long benchmark
 * prints many request lines).
 * @param {import('node:stream').Readable} stdout
 */
export function streamMailbox(stdout) {
  const lines = [];
  let inMail = false;
  createInterface({ input: stdout, crlfDelay: Infinity }).on('line', (line) => {
    if (MAIL.test(line)) inMail = true;
    else if (WRANGLER.test(line)) inMail = false;
    if (inMail) lines.push(line);
  });
  return mailbox(() => lines.join('\n'));
}

/**
 * Signs up the way a person does: asks for the subscription, opens the confirmation link from the
 * mail and confirms, with `call` (a client from server.mjs, which keeps the session cookie).
 * Answers what the confirmation answered (201 and the account), or the sign-up's own refusal; for
 * an address that already has an account, 409 `email_taken` (the mail says so instead of linking).
 */
export async function signUpByMail(call, box, body) {
  const before = box.count(body.email);
  const asked = await call('POST', '/signup', body);
  if (asked.status !== 202) return asked;
  const mail = await box.next(body.email, before);
  const token = linkToken(mail.text, '/confirm-signup');
  if (!token) return { status: 409, body: { code: 'email_taken', detail: mail.subject } };
  return call('POST', '/signup/confirm', { token });
}
