/**
 * The Subscription object's schema, as numbered, append-only migrations (run by `migrate` in
 * migrate.ts). Never edit a shipped migration: add the next one.
 */
export const SUBSCRIPTION_MIGRATIONS: readonly string[] = [
  // 1: the subscription, its users and seats, how they sign in, and what they did.
  `
  CREATE TABLE subscription (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    purchased INTEGER NOT NULL CHECK (purchased >= 1),
    -- Kept equal to COUNT(*) FROM seats by the triggers below; the CHECK makes SQLite itself refuse
    -- any write that would hand out more seats than were bought.
    assigned INTEGER NOT NULL DEFAULT 0 CHECK (assigned >= 0 AND assigned <= purchased),
    created_at TEXT NOT NULL
  );
  CREATE TABLE users (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    email TEXT NOT NULL UNIQUE COLLATE NOCASE,
    role TEXT NOT NULL CHECK (role IN ('administrator', 'technician')),
    status TEXT NOT NULL CHECK (status IN ('invited', 'active', 'deactivated')),
    password_hash TEXT,
    password_salt TEXT,
    password_iterations INTEGER,
    created_at TEXT NOT NULL,
    last_active_at TEXT
  );
  -- One row per held seat; the primary key is what makes "one user, at most one seat" hold.
  CREATE TABLE seats (
    user_id TEXT PRIMARY KEY REFERENCES users(id),
    assigned_at TEXT NOT NULL,
    expires_at TEXT
  );
  CREATE TRIGGER seats_count_insert AFTER INSERT ON seats
    BEGIN UPDATE subscription SET assigned = assigned + 1; END;
  CREATE TRIGGER seats_count_delete AFTER DELETE ON seats
    BEGIN UPDATE subscription SET assigned = assigned - 1; END;
  CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL
  );
  CREATE INDEX sessions_user ON sessions(user_id);
  CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    user_id TEXT NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_used_at TEXT
  );
  CREATE INDEX api_tokens_user ON api_tokens(user_id);
  CREATE TABLE invitations (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
  );
  CREATE TABLE login_failures (
    user_id TEXT NOT NULL,
    at INTEGER NOT NULL
  );
  CREATE INDEX login_failures_user ON login_failures(user_id, at);
  CREATE TABLE audit (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor_id TEXT,
    actor_name TEXT,
    action TEXT NOT NULL,
    target_type TEXT NOT NULL,
    target_id TEXT NOT NULL,
    target_name TEXT,
    details TEXT NOT NULL DEFAULT '{}'
  );
  `,
  // 2: remembered answers to POST requests that carried an Idempotency-Key, so a retry replays them.
  `
  CREATE TABLE idempotency_keys (
    user_id TEXT NOT NULL,
    key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    status INTEGER,
    response TEXT,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, key)
  );
  CREATE INDEX idempotency_keys_age ON idempotency_keys(created_at);
  `,
  // 3: Expert Console sessions started by seat holders.
  `
  CREATE TABLE console_sessions (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    computer TEXT NOT NULL,
    started_at TEXT NOT NULL,
    ended_at TEXT
  );
  CREATE INDEX console_sessions_user ON console_sessions(user_id, started_at);
  `,
  // 4: account security: sessions that can be listed and ended one by one, read-only API tokens,
  // password resets, and passkeys (WebAuthn credentials).
  `
  ALTER TABLE sessions ADD COLUMN id TEXT;
  UPDATE sessions SET id = 'ses_' || lower(hex(randomblob(10))) WHERE id IS NULL;
  CREATE UNIQUE INDEX sessions_id ON sessions(id);
  ALTER TABLE sessions ADD COLUMN user_agent TEXT;
  ALTER TABLE api_tokens ADD COLUMN scope TEXT NOT NULL DEFAULT 'write' CHECK (scope IN ('read', 'write'));
  CREATE TABLE password_resets (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
  );
  CREATE TABLE passkeys (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    public_key TEXT NOT NULL,
    counter INTEGER NOT NULL,
    transports TEXT NOT NULL DEFAULT '[]',
    created_at TEXT NOT NULL,
    last_used_at TEXT
  );
  CREATE INDEX passkeys_user ON passkeys(user_id);
  `,
  // 5: console sessions that follow the seat (heartbeats, why each ended; rebuilt without the
  // foreign key so a deleted user's history stays for reports), time-boxed seats that return to
  // their previous holder, revocations that wait for console sessions, seat requests, and the
  // timers that the object's single alarm serves.
  `
  CREATE TABLE console_sessions_v5 (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    computer TEXT NOT NULL,
    started_at TEXT NOT NULL,
    ended_at TEXT,
    last_heartbeat_at TEXT,
    end_reason TEXT
  );
  INSERT INTO console_sessions_v5 (id, user_id, computer, started_at, ended_at)
    SELECT id, user_id, computer, started_at, ended_at FROM console_sessions;
  DROP TABLE console_sessions;
  ALTER TABLE console_sessions_v5 RENAME TO console_sessions;
  CREATE INDEX console_sessions_user ON console_sessions(user_id, started_at);
  CREATE INDEX console_sessions_active ON console_sessions(user_id) WHERE ended_at IS NULL;
  -- A time-boxed seat ends at seats.expires_at; one lent by a transfer then returns to returns_to.
  ALTER TABLE seats ADD COLUMN returns_to TEXT;
  -- A seat taken from someone who is connected: it stays theirs (and counted) until the chosen moment.
  CREATE TABLE seat_revocations (
    user_id TEXT PRIMARY KEY,
    action TEXT NOT NULL CHECK (action IN ('unassign', 'transfer', 'return')),
    mode TEXT NOT NULL CHECK (mode IN ('grace', 'after_session')),
    ends_at TEXT,
    transfer_to TEXT,
    until TEXT,
    actor_id TEXT,
    actor_name TEXT,
    created_at TEXT NOT NULL
  );
  CREATE TABLE seat_requests (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    user_id TEXT NOT NULL,
    reason TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'declined', 'cancelled')),
    created_at TEXT NOT NULL,
    decided_at TEXT,
    decided_by_id TEXT,
    decided_by_name TEXT,
    note TEXT
  );
  CREATE UNIQUE INDEX seat_requests_one_pending ON seat_requests(user_id) WHERE status = 'pending';
  CREATE INDEX seat_requests_status ON seat_requests(status, seq);
  ALTER TABLE subscription ADD COLUMN auto_assign_requests INTEGER NOT NULL DEFAULT 0;
  -- Every timed step (grace end, loan end, heartbeat timeout); the alarm is set to the earliest.
  CREATE TABLE timers (
    kind TEXT NOT NULL,
    ref TEXT NOT NULL,
    due_at INTEGER NOT NULL,
    PRIMARY KEY (kind, ref)
  );
  CREATE INDEX timers_due ON timers(due_at);
  -- Sessions open before heartbeats existed get one timeout (60 s) to send their first.
  UPDATE console_sessions SET last_heartbeat_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE ended_at IS NULL;
  INSERT INTO timers (kind, ref, due_at)
    SELECT 'heartbeat', id, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) + 60000
    FROM console_sessions WHERE ended_at IS NULL;
  `,
  // 6: indexes for lookups by user that scanned whole tables (found by the 10,000-user benchmark).
  `
  CREATE INDEX invitations_user ON invitations(user_id);
  CREATE INDEX password_resets_user ON password_resets(user_id);
  CREATE INDEX audit_target ON audit(target_id);
  CREATE INDEX audit_actor ON audit(actor_id);
  `,
  // 7: an Idempotency-Key's answer is the call's result (JSON), written in the transaction that did
  // the work, so no key is ever left "pending". Answers stored before as HTTP responses (status,
  // response) are replayed as they are until they expire; keys the old design left pending are
  // dropped, as it would have done after a minute.
  `
  ALTER TABLE idempotency_keys ADD COLUMN result TEXT;
  DELETE FROM idempotency_keys WHERE status IS NULL;
  `,
  // 8: the subscription's revision, one more with every committed change (SetMe-Revision, live messages).
  `
  ALTER TABLE subscription ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
  `,
  // 9: a signed-in browser or app is a device; "session" means only an Expert Console connection.
  `
  ALTER TABLE sessions RENAME TO devices;
  DROP INDEX sessions_user;
  CREATE INDEX devices_user ON devices(user_id);
  DROP INDEX sessions_id;
  CREATE UNIQUE INDEX devices_id ON devices(id);
  `,
  // 10: recovery. When each device or API token last proved its user with a password or passkey
  // (creating tokens and passkeys needs that within 10 minutes; rows from before have not), and the
  // failed current-password checks of signed-in users (changing the password, reauthenticating),
  // throttled like sign-in in their own count, so a thief holding a device cannot lock the owner
  // out of signing in.
  `
  ALTER TABLE devices ADD COLUMN authenticated_at TEXT;
  ALTER TABLE api_tokens ADD COLUMN authenticated_at TEXT;
  CREATE TABLE password_checks (
    user_id TEXT NOT NULL,
    at INTEGER NOT NULL
  );
  CREATE INDEX password_checks_user ON password_checks(user_id, at);
  `,
  // 11: how many console sessions one seat may have open at once.
  `
  ALTER TABLE subscription ADD COLUMN max_console_sessions_per_seat INTEGER NOT NULL DEFAULT 5
    CHECK (max_console_sessions_per_seat BETWEEN 1 AND 100);
  `,
  // 12: a device proves itself with two cookies, one of which the app deletes to sign out even
  // offline, and is ended later by its sign-out proof (sign_out_hash). Devices signed in before
  // hold one cookie and cannot prove themselves any more: they are signed out.
  `
  ALTER TABLE devices ADD COLUMN sign_out_hash TEXT;
  CREATE UNIQUE INDEX devices_sign_out ON devices(sign_out_hash);
  DELETE FROM devices;
  `,
  // 13: API tokens can expire (NULL: never; tokens made before keep working as they did).
  `
  ALTER TABLE api_tokens ADD COLUMN expires_at TEXT;
  `,
  // 14: passkey challenges already used here, kept until they expire, so each works once.
  `
  CREATE TABLE consumed_challenges (
    id TEXT PRIMARY KEY,
    expires_at INTEGER NOT NULL
  );
  CREATE INDEX consumed_challenges_expiry ON consumed_challenges(expires_at);
  `,
  // 15: user search answered by indexes, not by reading every user. Three characters or more: a
  // trigram index of names and emails (substrings, any case), kept in step with users by triggers;
  // shorter: a prefix of the name (this case-insensitive index) or the email (its unique index).
  `
  CREATE VIRTUAL TABLE users_fts USING fts5(name, email, content = 'users', content_rowid = 'seq', tokenize = 'trigram');
  INSERT INTO users_fts (users_fts) VALUES ('rebuild');
  CREATE TRIGGER users_fts_insert AFTER INSERT ON users BEGIN
    INSERT INTO users_fts (rowid, name, email) VALUES (new.seq, new.name, new.email);
  END;
  CREATE TRIGGER users_fts_delete AFTER DELETE ON users BEGIN
    INSERT INTO users_fts (users_fts, rowid, name, email) VALUES ('delete', old.seq, old.name, old.email);
  END;
  CREATE TRIGGER users_fts_update AFTER UPDATE OF name, email ON users BEGIN
    INSERT INTO users_fts (users_fts, rowid, name, email) VALUES ('delete', old.seq, old.name, old.email);
    INSERT INTO users_fts (rowid, name, email) VALUES (new.seq, new.name, new.email);
  END;
  CREATE INDEX users_name_nocase ON users(name COLLATE NOCASE);
  `,
  // 16: directory sync (SCIM). A third token scope, "scim" (SQLite cannot alter a CHECK, so
  // api_tokens is rebuilt with its rows and every column: authenticated_at of 10 and expires_at of 13 included); what a
  // directory says about a user (userName as sent, name parts, externalId, "managed by the
  // directory") and when a user last changed; directory groups and their members (in the order they
  // joined: first come, first served); where each seat came from (given by whom, or via which
  // group); and seat requests a directory group made.
  `
  CREATE TABLE api_tokens_v16 (
    id TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    user_id TEXT NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_used_at TEXT,
    scope TEXT NOT NULL DEFAULT 'write' CHECK (scope IN ('read', 'write', 'scim')),
    authenticated_at TEXT,
    expires_at TEXT
  );
  INSERT INTO api_tokens_v16 (id, token_hash, user_id, name, created_at, last_used_at, scope, authenticated_at, expires_at)
    SELECT id, token_hash, user_id, name, created_at, last_used_at, scope, authenticated_at, expires_at FROM api_tokens;
  DROP TABLE api_tokens;
  ALTER TABLE api_tokens_v16 RENAME TO api_tokens;
  CREATE INDEX api_tokens_user ON api_tokens(user_id);
  ALTER TABLE users ADD COLUMN given_name TEXT;
  ALTER TABLE users ADD COLUMN family_name TEXT;
  -- The directory's userName exactly as it sent it (null: the email is the userName).
  ALTER TABLE users ADD COLUMN scim_user_name TEXT;
  ALTER TABLE users ADD COLUMN external_id TEXT;
  -- The directory's displayName as sent (null: it sent none, and the name is given + family name).
  ALTER TABLE users ADD COLUMN display_name TEXT;
  -- 1: created by the directory, which owns the name, email and role.
  ALTER TABLE users ADD COLUMN directory INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE users ADD COLUMN updated_at TEXT;
  CREATE INDEX users_user_name ON users(COALESCE(scim_user_name, email) COLLATE NOCASE);
  CREATE INDEX users_external_id ON users(external_id) WHERE external_id IS NOT NULL;
  CREATE TRIGGER users_updated_at AFTER UPDATE OF name, email, role, status, given_name, family_name, scim_user_name, external_id, display_name ON users
    BEGIN UPDATE users SET updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = NEW.id; END;
  CREATE TABLE groups (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    external_id TEXT,
    grants_seat INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE UNIQUE INDEX groups_display_name ON groups(display_name COLLATE NOCASE);
  CREATE TABLE group_members (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    group_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    UNIQUE (group_id, user_id)
  );
  CREATE INDEX group_members_user ON group_members(user_id);
  -- Whoever deletes a user or a group (the app or the directory), its memberships go with it.
  CREATE TRIGGER users_delete_memberships AFTER DELETE ON users
    BEGIN DELETE FROM group_members WHERE user_id = OLD.id; END;
  CREATE TRIGGER groups_delete_members AFTER DELETE ON groups
    BEGIN DELETE FROM group_members WHERE group_id = OLD.id; END;
  ALTER TABLE seats ADD COLUMN given_by_id TEXT;
  ALTER TABLE seats ADD COLUMN given_by_name TEXT;
  -- The seat group it came through (null: given by hand, or before directory sync existed).
  ALTER TABLE seats ADD COLUMN via_group TEXT;
  CREATE INDEX seats_via_group ON seats(via_group) WHERE via_group IS NOT NULL;
  ALTER TABLE seat_requests ADD COLUMN group_id TEXT;
  `,
  // 17: the ways out and in. Events are written to `outbox` in the transaction of the change; each
  // is fanned out to `deliveries` (webhook endpoints, push devices, mail) in that same transaction
  // and sent by the alarm (a `delivery` timer per target); webhook endpoints and their secrets;
  // administrators' push devices and notification choices; alert thresholds; billing (Stripe).
  `
  CREATE TABLE outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL,
    at TEXT NOT NULL,
    payload TEXT NOT NULL
  );
  CREATE TABLE webhooks (
    id TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    event_types TEXT NOT NULL DEFAULT '[]',
    enabled INTEGER NOT NULL DEFAULT 1,
    disabled_reason TEXT,
    secret TEXT NOT NULL,
    previous_secret TEXT,
    previous_secret_expires_at TEXT,
    created_at TEXT NOT NULL
  );
  CREATE TABLE push_subscriptions (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    endpoint TEXT NOT NULL UNIQUE,
    p256dh TEXT NOT NULL,
    auth TEXT NOT NULL,
    device TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    last_sent_at TEXT
  );
  CREATE INDEX push_subscriptions_user ON push_subscriptions(user_id);
  -- One row per administrator and choice that differs from the default (everything on for push,
  -- nothing for mail until they opt in).
  CREATE TABLE notification_choices (
    user_id TEXT NOT NULL,
    choice TEXT NOT NULL,
    enabled INTEGER NOT NULL,
    PRIMARY KEY (user_id, choice)
  );
  -- Each threshold fires once when seats in use cross it upwards and re-arms when they fall below.
  CREATE TABLE alert_thresholds (
    percent INTEGER PRIMARY KEY CHECK (percent BETWEEN 1 AND 100),
    crossed INTEGER NOT NULL DEFAULT 0
  );
  INSERT INTO alert_thresholds (percent) VALUES (80), (95), (100);
  -- One event's delivery to one target: a webhook endpoint, a push device, or a mailbox. A
  -- target's deliveries go out in seq order; the next attempt's time is its 'delivery' timer.
  CREATE TABLE deliveries (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    channel TEXT NOT NULL CHECK (channel IN ('webhook', 'push', 'mail')),
    target TEXT NOT NULL,
    event_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    body TEXT,
    status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed', 'cancelled')),
    attempts INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    last_attempt_at TEXT,
    response_status INTEGER,
    latency_ms INTEGER,
    error TEXT
  );
  CREATE INDEX deliveries_queue ON deliveries(target, status, seq);
  -- The Stripe customer this subscription is billed as, and what its events last said.
  CREATE TABLE billing (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    customer_id TEXT,
    paid_seats INTEGER,
    last_event_created INTEGER,
    pending_seats INTEGER,
    pending_from TEXT,
    updated_at TEXT
  );
  CREATE TABLE billing_keep (user_id TEXT PRIMARY KEY);
  CREATE TABLE stripe_events (id TEXT PRIMARY KEY, created INTEGER NOT NULL, processed_at TEXT NOT NULL, outcome TEXT NOT NULL);
  `,
  // Shift schedules: a weekly pattern of windows in an IANA time zone, with dated exceptions (both
  // JSON, as the contract validated them). A user is on a schedule directly (users.schedule_id) or
  // through a directory group (groups.schedule_id); seats.via_schedule marks a seat a shift gave
  // (only those are taken back when the shift ends) and seat_requests.schedule_id a shift's wait.
  `
  CREATE TABLE schedules (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    windows TEXT NOT NULL,
    exceptions TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE UNIQUE INDEX schedules_name ON schedules(name COLLATE NOCASE);
  ALTER TABLE users ADD COLUMN schedule_id TEXT;
  ALTER TABLE groups ADD COLUMN schedule_id TEXT;
  ALTER TABLE seats ADD COLUMN via_schedule TEXT;
  ALTER TABLE seat_requests ADD COLUMN schedule_id TEXT;
  `,
  // Idle-seat reclaim: the policy (one row; off by default) and, per seat holder, when they were
  // last warned that their seat will be taken back, so each idle stretch warns once.
  `
  CREATE TABLE idle_reclaim (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    enabled INTEGER NOT NULL DEFAULT 0,
    days INTEGER NOT NULL DEFAULT 14 CHECK (days >= 3),
    exempt_users TEXT NOT NULL DEFAULT '[]',
    exempt_groups TEXT NOT NULL DEFAULT '[]'
  );
  INSERT INTO idle_reclaim (id) VALUES (1);
  CREATE TABLE idle_warnings (
    user_id TEXT PRIMARY KEY,
    warned_at TEXT NOT NULL,
    reclaim_at TEXT NOT NULL
  );
  `,
  // Team pools. A pool holds back `reserved` seats for its members and lets them hold up to
  // `maximum`; users in no pool (pool_id NULL) share the rest. SQLite itself refuses a broken pool
  // invariant: `pools.assigned` is kept by triggers with CHECK (assigned <= maximum), and every
  // write that can change what is committed (a seat given, a user moved between pools, a pool's
  // reserve, the purchased seats) aborts when the seats held plus the reserves not yet used would
  // exceed the purchased seats. A team manager is stored as a technician with `team_manager` = 1
  // (SQLite cannot alter the role CHECK; the object maps it to the role "team_manager") and the
  // pools they manage in pool_managers.
  `
  CREATE TABLE pools (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    reserved INTEGER NOT NULL CHECK (reserved >= 0),
    maximum INTEGER NOT NULL,
    assigned INTEGER NOT NULL DEFAULT 0 CHECK (assigned >= 0 AND assigned <= maximum),
    created_at TEXT NOT NULL,
    CHECK (reserved <= maximum)
  );
  CREATE UNIQUE INDEX pools_name ON pools(name COLLATE NOCASE);
  CREATE TABLE pool_managers (
    user_id TEXT NOT NULL,
    pool_id TEXT NOT NULL,
    PRIMARY KEY (user_id, pool_id)
  );
  ALTER TABLE users ADD COLUMN pool_id TEXT;
  ALTER TABLE users ADD COLUMN team_manager INTEGER NOT NULL DEFAULT 0 CHECK (team_manager IN (0, 1));
  CREATE INDEX users_pool ON users(pool_id) WHERE pool_id IS NOT NULL;
  CREATE VIEW pool_commitment AS
    SELECT (SELECT COUNT(*) FROM seats)
      + (SELECT COALESCE(SUM(MAX(0, p.reserved - (SELECT COUNT(*) FROM seats s JOIN users u ON u.id = s.user_id WHERE u.pool_id = p.id))), 0) FROM pools p)
      AS committed,
      (SELECT purchased FROM subscription) AS purchased;
  CREATE TRIGGER seats_pool_insert AFTER INSERT ON seats BEGIN
    UPDATE pools SET assigned = assigned + 1 WHERE id = (SELECT pool_id FROM users WHERE id = NEW.user_id);
    -- More seats held than purchased is the subscription's own CHECK to refuse; this is for reserves.
    SELECT RAISE(ABORT, 'pool reserve: seats reserved for pools cannot be used') FROM pool_commitment
      WHERE committed > purchased AND (SELECT COUNT(*) FROM seats) <= purchased;
  END;
  CREATE TRIGGER seats_pool_delete AFTER DELETE ON seats
    BEGIN UPDATE pools SET assigned = assigned - 1 WHERE id = (SELECT pool_id FROM users WHERE id = OLD.user_id); END;
  CREATE TRIGGER users_pool_move AFTER UPDATE OF pool_id ON users
    WHEN OLD.pool_id IS NOT NEW.pool_id AND EXISTS (SELECT 1 FROM seats WHERE user_id = NEW.id) BEGIN
    UPDATE pools SET assigned = assigned - 1 WHERE id = OLD.pool_id;
    UPDATE pools SET assigned = assigned + 1 WHERE id = NEW.pool_id;
    SELECT RAISE(ABORT, 'pool reserve: seats reserved for pools cannot be used') FROM pool_commitment WHERE committed > purchased;
  END;
  CREATE TRIGGER pools_reserve_insert AFTER INSERT ON pools BEGIN
    SELECT RAISE(ABORT, 'pool reserve: reserves exceed the free seats') FROM pool_commitment WHERE committed > purchased;
  END;
  CREATE TRIGGER pools_reserve_update AFTER UPDATE OF reserved ON pools BEGIN
    SELECT RAISE(ABORT, 'pool reserve: reserves exceed the free seats') FROM pool_commitment WHERE committed > purchased;
  END;
  CREATE TRIGGER purchased_covers_pools AFTER UPDATE OF purchased ON subscription BEGIN
    SELECT RAISE(ABORT, 'pool reserve: purchased seats below the seats held and reserved') FROM pool_commitment WHERE committed > purchased;
  END;
  CREATE TRIGGER users_delete_pool_managers AFTER DELETE ON users
    BEGIN DELETE FROM pool_managers WHERE user_id = OLD.id; END;
  CREATE TRIGGER pools_delete_managers AFTER DELETE ON pools
    BEGIN DELETE FROM pool_managers WHERE pool_id = OLD.id; END;
  `,
  // Sign-in attempts are counted per email by its EmailIndex object and per client address by the
  // AddressThrottle (before any subscription is known): this table was no longer written, only cleared.
  `
  DROP INDEX login_failures_user;
  DROP TABLE login_failures;
  `,
  // A seat given ran the pool reserve check every time, counting every held seat twice, in a
  // subscription with no pools too. The check now runs only when some pool reserves seats, which
  // changes no outcome: with no reserve, committed (seats held plus the reserves not yet used) is
  // just the seats held, so "committed > purchased while seats held <= purchased" cannot hold.
  // Keeping pools.assigned stays unconditional, in its own trigger.
  `
  DROP TRIGGER seats_pool_insert;
  CREATE TRIGGER seats_pool_insert AFTER INSERT ON seats
    BEGIN UPDATE pools SET assigned = assigned + 1 WHERE id = (SELECT pool_id FROM users WHERE id = NEW.user_id); END;
  CREATE TRIGGER seats_pool_reserve AFTER INSERT ON seats WHEN EXISTS (SELECT 1 FROM pools WHERE reserved > 0) BEGIN
    -- More seats held than purchased is the subscription's own CHECK to refuse; this is for reserves.
    SELECT RAISE(ABORT, 'pool reserve: seats reserved for pools cannot be used') FROM pool_commitment
      WHERE committed > purchased AND (SELECT COUNT(*) FROM seats) <= purchased;
  END;
  `,
];
