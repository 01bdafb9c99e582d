/** The alert and digest mails, as plain text and simple HTML (the same words in both). */
import type { IdleSeat, Subscription } from '../contract';
import type { Mail } from '../mail';

export interface Recipient {
  name: string;
  email: string;
}

/** A threshold alert: how many seats are in use, and what to do about it. */
export function thresholdMail(to: Recipient, percent: number, subscription: Subscription): Mail {
  const { assigned, purchased, available } = subscription.seats;
  // The subject names the threshold that fired (several fire at once when seats jump); the body, the seats now.
  const subject = percent >= 100 ? `All ${purchased} seats of ${subscription.name} are in use` : `${percent} % of the seats of ${subscription.name} are in use`;
  const lines = [
    `Hello ${to.name},`,
    '',
    `${assigned} of ${purchased} seats are assigned now${available === 0 ? ': nobody else can get one until a seat is freed or more are bought.' : ` (${available} free).`}`,
    'Take back seats that are not used (Reports › Idle seats shows which), or buy more seats.',
    '',
    'You get this mail because you turned on threshold alerts under Me › Notifications.',
  ];
  return { to: to.email, subject, text: lines.join('\n'), html: html(subject, lines) };
}

/** The daily digest: requests waiting for a seat and seats nobody used for two weeks. */
export function digestMail(
  to: Recipient,
  subscription: Subscription,
  pending: { name: string; reason: string; created_at: string }[],
  idle: IdleSeat[],
): Mail {
  const subject = `${subscription.name}: ${pending.length} seat request${pending.length === 1 ? '' : 's'} waiting, ${idle.length} idle seat${idle.length === 1 ? '' : 's'}`;
  const { assigned, purchased } = subscription.seats;
  const lines = [
    `Hello ${to.name},`,
    '',
    `${assigned} of ${purchased} seats are assigned.`,
    '',
    pending.length ? 'Waiting for a seat (oldest first):' : 'Nobody is waiting for a seat.',
    ...pending.map((r) => `  • ${r.name}, since ${r.created_at.slice(0, 10)}: ${r.reason}`),
    '',
    idle.length ? 'Seats not used for 14 days or more:' : 'Every seat was used in the last 14 days.',
    ...idle.map((s) => `  • ${s.user.name} (${s.user.email}): ${s.idleDays} days`),
    '',
    'You get this mail because you turned on the daily digest under Me › Notifications.',
  ];
  return { to: to.email, subject, text: lines.join('\n'), html: html(subject, lines) };
}

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The same lines as simple HTML: paragraphs, and a list for the bulleted lines. */
export function html(title: string, lines: string[]): string {
  const out: string[] = [];
  let list = false;
  for (const line of lines) {
    const item = /^\s+• (.*)$/.exec(line);
    if (item && !list) out.push('<ul>');
    if (!item && list) out.push('</ul>');
    list = item !== null;
    if (item) out.push(`<li>${escape(item[1]!)}</li>`);
    else if (line) out.push(`<p>${escape(line)}</p>`);
  }
  if (list) out.push('</ul>');
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escape(title)}</title></head><body style="font-family:system-ui,sans-serif;line-height:1.5">${out.join('')}</body></html>`;
}
