/**
 * Every test that changes data gets its own subscription, signed up through the API, so tests
 * running side by side never see each other's changes. `team` is that subscription (an
 * administrator plus technicians, some holding seats); `signedIn` is a page signed in as its
 * administrator, on the Users screen.
 */
import { randomUUID } from 'node:crypto';
import { expect, type Page, test as base } from '@playwright/test';
import type { User } from '../../worker/contract';
import { Api } from './api';

export const PASSWORD = 'browser-test-2026';

export interface TeamShape {
  seats: number;
  /** [name, holds a seat] for each technician, created in this order. */
  technicians: [string, boolean][];
}

export interface Team {
  organization: string;
  admin: { name: string; email: string; password: string };
  /** Technicians by first name. */
  users: Record<string, User>;
  /** The API, signed in as the administrator (a second device). */
  api: Api;
  /** Another administrator's API session: "someone else" making changes. */
  newApi: () => Promise<Api>;
}

export const DEFAULT_TEAM: TeamShape = {
  seats: 3,
  technicians: [
    ['Alex Moreno', true],
    ['Priya Natarajan', true],
    ['Lena Fischer', false],
  ],
};

export const test = base.extend<{ teamShape: TeamShape; team: Team; signedIn: Page }>({
  teamShape: [DEFAULT_TEAM, { option: true }],

  team: async ({ baseURL, teamShape }, use) => {
    const tag = randomUUID().slice(0, 8);
    const admin = { name: 'Dana Whitfield', email: `dana-${tag}@test.setme.test`, password: PASSWORD };
    const organization = `Test Org ${tag}`;
    const api = new Api(baseURL!);
    await api.signUp({ organization, ...admin, seats: teamShape.seats, assignSeat: false });
    const users: Record<string, User> = {};
    for (const [name, seat] of teamShape.technicians) {
      const first = name.split(' ')[0]!;
      const email = `${first.toLowerCase()}-${tag}@test.setme.test`;
      users[first] = (await api.createUser({ name, email, role: 'technician', assignSeat: seat })).user;
    }
    const newApi = async () => {
      const other = new Api(baseURL!);
      await other.ok('POST', '/auth/login', { email: admin.email, password: admin.password });
      return other;
    };
    await use({ organization, admin, users, api, newApi });
  },

  signedIn: async ({ page, team }, use) => {
    await signIn(page, team);
    await use(page);
  },
});

/** Signs the page's browser context in as the team's administrator and opens the Users screen. */
export async function signIn(page: Page, team: Team): Promise<void> {
  const reply = await page.request.post('/api/v1/auth/login', {
    data: { email: team.admin.email, password: team.admin.password },
  });
  expect(reply.status()).toBe(200);
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'Users', level: 1 })).toBeVisible();
}

/** The seat meter's sentence, e.g. "2 of 3 seats assigned". */
export const meter = (page: Page, assigned: number, purchased: number) =>
  page.getByText(`${assigned} of ${purchased} seats assigned`, { exact: true });

/** The "Manage user" button of one user (its accessible name includes the user's name). */
export const manageButton = (page: Page, name: string) => page.getByRole('button', { name: `Manage user ${name}` });

/** The card (phone, tablet) or table row (desktop) that shows one user. */
export const userEntry = (page: Page, name: string) =>
  page.locator('li.user, tbody tr').filter({ has: page.getByText(name, { exact: true }) });

export { expect };
