/**
 * Helpers for the browser tests of seats over time (technicians, loans, connected holders, seat
 * requests, reports): technicians signed in through a fresh invitation link, their Expert Console
 * as an API session, times as the browser shows them, and the checks every screen must pass.
 */
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import type { Invitation } from '../../worker/contract';
import { Api } from './api';
import { PASSWORD, type Team } from './fixtures';

/**
 * The request that signs a technician in: accepting a fresh invitation (setting PASSWORD) the
 * first time, signing in with that password afterwards.
 */
async function signInRequest(team: Team, first: string): Promise<{ path: string; body: object }> {
  const user = await team.api.user(team.users[first]!.id);
  if (user.status !== 'invited') return { path: '/auth/login', body: { email: user.email, password: PASSWORD } };
  const invitation = await team.api.ok<Invitation>('POST', `/users/${user.id}/invitation`);
  return { path: '/invitations/accept', body: { token: invitation.token, password: PASSWORD } };
}

/** Signs the page's browser context in as a technician (by first name) and opens their own page. */
export async function signInAsTechnician(page: Page, team: Team, first: string): Promise<void> {
  const { path, body } = await signInRequest(team, first);
  const reply = await page.request.post(`/api/v1${path}`, { data: body });
  if (reply.status() !== 200) throw new Error(`${path} → ${reply.status()} ${await reply.text()}`);
  await page.goto('/me');
}

/** A technician's own API session: their Expert Console, or their script. */
export async function technicianApi(team: Team, first: string): Promise<Api> {
  const api = new Api(team.api.baseURL);
  const { path, body } = await signInRequest(team, first);
  await api.ok('POST', path, body);
  return api;
}

/** Starts an Expert Console session as `console`'s user; returns its id. */
export async function connect(console: Api, computer = 'FRONTDESK-PC-07'): Promise<string> {
  return (await console.ok<{ id: string }>('POST', '/console/sessions', { computer })).id;
}

/**
 * A day and a time `hours` ahead on the full hour, as the browser's date and time inputs take them,
 * and `shown`: that time as the app writes it (the browser's locale: "17:00" or "5:00 PM").
 */
export async function hoursAhead(page: Page, hours: number): Promise<{ day: string; time: string; iso: string; shown: string }> {
  return page.evaluate((hours) => {
    const at = new Date(Date.now() + hours * 3_600_000);
    at.setMinutes(0, 0, 0);
    const pad = (n: number) => String(n).padStart(2, '0');
    return {
      day: `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}`,
      time: `${pad(at.getHours())}:${pad(at.getMinutes())}`,
      iso: at.toISOString(),
      shown: new Intl.DateTimeFormat([], { timeStyle: 'short' }).format(at),
    };
  }, hours);
}

/**
 * An ISO time as the app's `at()` (app/lib/seat-time.ts) shows it, in the browser's time zone and
 * locale: "14:05" (or "2:05 PM"), "00:07 tomorrow" (a run just before midnight), "3 Dec, 17:00".
 */
export function browserClock(page: Page, iso: string): Promise<string> {
  return page.evaluate((iso) => {
    const when = new Date(iso);
    const midnight = (d: Date) => new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
    const days = Math.round((midnight(when) - midnight(new Date())) / 86_400_000);
    const time = new Intl.DateTimeFormat([], { timeStyle: 'short' }).format(when);
    if (days === 0) return time;
    if (days === 1) return `${time} tomorrow`;
    return `${new Intl.DateTimeFormat([], { day: 'numeric', month: 'short' }).format(when)}, ${time}`;
  }, iso);
}

/** Serious and critical WCAG 2.2 AA violations on the page as it is, one line each. */
export async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

/** Visible controls less than 44 px tall (checkboxes and radios count through their labels). */
export function smallTargets(page: Page): Promise<{ what: string; height: number }[]> {
  return page.evaluate(() => {
    const targets = document.querySelectorAll<HTMLElement>(
      'button, select, textarea, input:not([type=checkbox]):not([type=radio]), nav a, a.button, label.check, summary',
    );
    return [...targets]
      .filter((el) => el.offsetParent !== null && !el.closest('.visually-hidden, dialog:not([open])'))
      .map((el) => ({ what: el.outerHTML.slice(0, 80), height: el.getBoundingClientRect().height }))
      .filter((t) => t.height < 43.5);
  });
}

/** How far the page scrolls sideways (0 when it fits). */
export function sidewaysOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}
