// Seeding a benchmark's subscriptions through the API, one way for every bench script (bench.mjs,
// bench-browser.mjs, bench-create.mjs, bench-scim.mjs): a sign-up confirmed by mail with an API
// token for its administrator, then users created with a bounded number of requests in flight.
import { bearer } from './local-api.mjs';
import { signUpByMail } from './mailbox.mjs';
import { client } from './server.mjs';

/** Every bench account's password (administrators and the users who accept an invitation). */
export const PASSWORD = 'copper lantern orchard 42';

const FIRST = ['Alex', 'Priya', 'Tomás', 'Mei', 'Jordan', 'Sam', 'Lena', 'Noah', 'Ada', 'Grace', 'Linus', 'Kemal', 'Ines', 'Oren', 'Yuki', 'Zara', 'Bruno', 'Chloe', 'Dmitri', 'Femi'];
const LAST = ['Moreno', 'Natarajan', 'Eriksen', 'Chen', 'Blake', 'Okafor', 'Fischer', 'Kowalski', 'Lovelace', 'Hopper', 'Torvalds', 'Yilmaz', 'Duarte', 'Levi', 'Tanaka', 'Ahmed', 'Rossi', 'Martin', 'Ivanov', 'Adeyemi', 'Nguyen', 'Silva', 'Novak', 'Berg', 'Costa'];
/** Names like people's, so a search for a name finds a few of many (each name repeats every 500 users). */
export const personName = (i) => `${FIRST[i % FIRST.length]} ${LAST[Math.floor(i / FIRST.length) % LAST.length]}`;

let emailCounter = 0;
/**
 * A new address, `tag.<time>.<counter>@bench.test`. The counter never repeats in a process, so
 * `.<counter>@` is in the middle of exactly one address (bench-browser.mjs's email search uses it).
 */
export const benchEmail = (tag) => `${tag}.${Date.now().toString(36)}.${++emailCounter}@bench.test`;

/** Runs `task(item, i)` over items with at most `limit` in flight, starting none after `deadline`. */
export async function bounded(items, limit, task, deadline = Infinity) {
  const results = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length && performance.now() < deadline) {
        const i = next++;
        results[i] = await task(items[i], i);
      }
    }),
  );
  return results.filter(Boolean);
}

/**
 * Signs up a subscription through the API (its administrator confirmed through `mailbox`, the
 * server's) and makes an API token for them. Returns the token's client, the signed-in browser,
 * and the administrator's id and sign-in.
 * @example const { api } = await newSubscription(server.baseUrl, server.mailbox, { organization: 'Bench', seats: 10 })
 */
export async function newSubscription(baseUrl, mailbox, { organization, seats = 10 }) {
  const browser = client(baseUrl);
  const account = { email: benchEmail('admin'), password: PASSWORD };
  const signup = await signUpByMail(browser, mailbox, { organization, name: 'Bench Admin', ...account, seats, assignSeat: false });
  if (signup.status !== 201) throw new Error(`signup answered ${signup.status} ${JSON.stringify(signup.body)}`);
  const token = await browser('POST', '/tokens', { name: 'bench' });
  if (token.status !== 201) throw new Error(`token answered ${token.status} ${JSON.stringify(token.body)}`);
  return { api: bearer(baseUrl, token.body.token), browser, adminId: signup.body.user.id, account };
}

/**
 * Creates users number `from` to `to - 1` through POST /users (named `personName(number)`), those
 * below `withSeat` holding a seat, with `flight` requests in flight and none started after
 * `deadline` (a performance.now() time). Returns the creations' answers, in order.
 */
export async function createUsers(api, { from = 0, to, withSeat = 0, flight, deadline = Infinity }) {
  const numbers = Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);
  return bounded(numbers, flight, async (i) => {
    // A dev-server reload may cut a request (and maybe apply it): retry with a new email.
    for (let attempt = 0; ; attempt++) {
      const reply = await api('POST', '/users', { name: personName(i), email: benchEmail('user'), assignSeat: i < withSeat })
        .catch((error) => ({ status: 0, body: { text: String(error) } }));
      if (reply.status === 201) return reply.body;
      if (attempt >= 3) throw new Error(`create user answered ${reply.status} ${JSON.stringify(reply.body)}`);
    }
  }, deadline);
}
