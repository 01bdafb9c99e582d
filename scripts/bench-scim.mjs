// The directory-sync (SCIM) section of `npm run bench`: a directory provisions 1,000 users through
// /scim/v2 (as Okta or Entra ID would on a first sync), then adds 500 of them to a seat group in
// one PATCH (one transaction) on a subscription with fewer seats than members, so the rest wait.
// Then an administrator's seat transfers are timed alone and again while the directory re-syncs
// (finding each user by userName and PUTting them back, as Okta's re-sync does): the ratio says
// how much a running sync slows the people using the app. Ends by checking the invariants and
// the group's counts through the API. Figures are indicative; compare the ratios within a run.
import { benchEmail, bounded, createUsers, newSubscription } from './bench-seed.mjs';

const SCIM_TYPE = 'application/scim+json';

/** Calls `/scim/v2` with a directory token. */
function directory(baseUrl, token) {
  return async function call(method, path, body) {
    const res = await fetch(`${baseUrl}/scim/v2${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': SCIM_TYPE }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = { text };
    }
    return { status: res.status, body: parsed };
  };
}

const scimUser = (userName, i) => ({
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
  userName,
  name: { givenName: `Synced${i}`, familyName: 'Person' },
  emails: [{ primary: true, value: userName, type: 'work' }],
  externalId: `00u${i.toString(36).padStart(8, '0')}`,
  active: true,
});

/**
 * Runs the section. `tools` are bench.mjs's helpers and settings (the server's mailbox, drive,
 * percentile, table, fixed, concurrency, seconds) so the figures are measured the same way as the rest.
 * Returns true when every check held.
 */
export async function directorySync(baseUrl, tools) {
  const { mailbox, drive, percentile, table, fixed, concurrency, seconds } = tools;
  const USERS = 1000;
  const MEMBERS = 500;
  const SEATS = 400;
  const BY_HAND = 50;
  console.log(`Directory sync (SCIM): ${USERS} users provisioned, a ${MEMBERS}-member seat group, ${SEATS} seats (${BY_HAND} given by hand first)`);
  const { api, browser } = await newSubscription(baseUrl, mailbox, { organization: 'Bench Directory', seats: SEATS });
  // The administrator's browser signed in just now: a token needs a recent sign-in, which the
  // script's own API token never had.
  const made = await browser('POST', '/tokens', { name: 'Okta', scope: 'scim' });
  if (made.status !== 201) throw new Error(`directory token answered ${made.status} ${JSON.stringify(made.body)}`);
  const scim = directory(baseUrl, made.body.token);
  // People the administrator manages by hand, outside the directory: half hold a seat, and the seat
  // mix transfers those seats back and forth (a seat freed outright would go to the group's waiters).
  const manual = await createUsers(api, { to: 2 * BY_HAND, withSeat: BY_HAND, flight: concurrency });

  // 1. Provisioning: POST /Users, `concurrency` at a time (directories send several at once).
  const userNames = Array.from({ length: USERS }, () => benchEmail('scim'));
  const latencies = [];
  const t0 = performance.now();
  const ids = await bounded(userNames, concurrency, async (userName, i) => {
    const start = performance.now();
    const reply = await scim('POST', '/Users', scimUser(userName, i));
    latencies.push(performance.now() - start);
    if (reply.status !== 201) throw new Error(`POST /Users answered ${reply.status} ${JSON.stringify(reply.body)}`);
    return reply.body.id;
  });
  const provisioning = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);

  // 2. A seat group of 500, in one PATCH.
  const group = await scim('POST', '/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Support Tier 2' });
  if (group.status !== 201) throw new Error(`POST /Groups answered ${group.status}`);
  const marked = await api('PATCH', `/groups/${group.body.id}`, { grantsSeat: true });
  if (marked.status !== 200) throw new Error(`grantsSeat answered ${marked.status}`);
  const t1 = performance.now();
  const patched = await scim('PATCH', `/Groups/${group.body.id}`, {
    schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
    Operations: [{ op: 'add', path: 'members', value: ids.slice(0, MEMBERS).map((value) => ({ value })) }],
  });
  const groupMs = performance.now() - t1;
  if (patched.status !== 204) throw new Error(`PATCH /Groups answered ${patched.status} ${JSON.stringify(patched.body)}`);

  // Okta's spec test times GET /Groups (under 600 ms): here with a 500-member group in it.
  const listTimes = async (path) => {
    const times = [];
    for (let i = 0; i < 10; i++) {
      const start = performance.now();
      const reply = await scim('GET', path);
      times.push(performance.now() - start);
      if (reply.status !== 200) throw new Error(`GET ${path} answered ${reply.status}`);
    }
    return times.sort((a, b) => a - b);
  };
  const withMembers = await listTimes('/Groups');
  const withoutMembers = await listTimes('/Groups?excludedAttributes=members');

  console.log(table(
    ['step', 'requests', 'total s', 'per second', 'p50 ms', 'p99 ms'],
    [
      [`provision ${USERS} users (POST /Users ×${concurrency})`, ids.length, fixed(provisioning, 2), fixed(ids.length / provisioning), fixed(percentile(latencies, 50), 1), fixed(percentile(latencies, 99), 1)],
      [`add ${MEMBERS} members to a seat group (one PATCH)`, 1, fixed(groupMs / 1000, 2), '–', fixed(groupMs, 1), '–'],
      ['GET /Groups (one group of 500 members)', 10, fixed(withMembers.reduce((a, b) => a + b, 0) / 1000, 2), '–', fixed(percentile(withMembers, 50), 1), fixed(withMembers.at(-1), 1)],
      ['GET /Groups?excludedAttributes=members', 10, fixed(withoutMembers.reduce((a, b) => a + b, 0) / 1000, 2), '–', fixed(percentile(withoutMembers, 50), 1), fixed(withoutMembers.at(-1), 1)],
    ],
  ));

  // 3. The administrator's seat changes, alone and while the directory re-syncs.
  // Worker w moves the seat of pair w between its two people, there and back.
  const pairs = Array.from({ length: BY_HAND }, (_, i) => [manual[i].user.id, manual[BY_HAND + i].user.id]);
  const seatMix = async (worker) => {
    const [holder, spare] = pairs[worker];
    const there = await api('POST', '/seats/transfer', { from: holder, to: spare });
    const back = await api('POST', '/seats/transfer', { from: spare, to: holder });
    return there.status === 200 && back.status === 200;
  };
  const mixConcurrency = Math.min(concurrency, BY_HAND);
  const phase = { concurrency: mixConcurrency, seconds, maxRequests: 20_000 };
  const alone = await drive('seat changes alone', phase, seatMix);
  let syncing = true;
  let synced = 0;
  const resync = (async () => {
    let i = 0;
    const workers = Array.from({ length: 4 }, async () => {
      while (syncing) {
        const n = i++ % USERS;
        const userName = userNames[n];
        const found = await scim('GET', `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`);
        const user = found.body?.Resources?.[0];
        if (user) await scim('PUT', `/Users/${user.id}`, { ...scimUser(userName, n), id: user.id });
        synced++;
      }
    });
    await Promise.all(workers);
  })();
  const during = await drive('seat changes during a sync', phase, seatMix);
  syncing = false;
  await resync;
  console.log('\n' + table(
    ['seat changes (transfers there and back)', 'pairs', 'errors', 'pairs/s', 'p50 ms', 'p99 ms', 'pairs/s ÷ alone', 'p50 ÷ alone'],
    [alone, during].map((r) => [r.name, r.requests, r.errors, fixed(r.opsPerSecond), fixed(r.p50, 1), fixed(r.p99, 1), fixed(r.opsPerSecond / alone.opsPerSecond, 2), fixed(r.p50 / alone.p50, 2)]),
  ));
  console.log(`(the directory re-synced ${synced} users meanwhile: a filter GET and a PUT each)`);

  // 4. Checks.
  const seats = (await api('GET', '/subscription')).body.seats;
  const groups = (await api('GET', '/groups')).body.items;
  const tier2 = groups.find((g) => g.id === group.body.id);
  const freeForGroup = SEATS - BY_HAND;
  const checks = [
    [`${USERS} users provisioned`, ids.length === USERS],
    [`${USERS + 2 * BY_HAND + 1} users in the subscription`, (await scim('GET', '/Users?count=1')).body.totalResults === USERS + 2 * BY_HAND + 1],
    [`assigned ${seats.assigned} ≤ purchased ${seats.purchased}`, seats.assigned <= seats.purchased],
    [`the group holds ${tier2?.seatsHeld} seats (the ${freeForGroup} free) and ${tier2?.waiting} wait`, tier2?.seatsHeld === freeForGroup && tier2?.waiting === MEMBERS - freeForGroup],
    ['no errors in the seat mix', alone.errors === 0 && during.errors === 0],
  ];
  for (const [what, ok] of checks) console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${what}`);
  const ok = checks.every(([, passed]) => passed);
  console.log(ok ? 'VERIFIED\n' : 'NOT VERIFIED\n');
  return ok;
}
