namespace EdgeFence.ControlPlane.Storage;

/// <summary>
/// The schema, as the ordered list of steps that build it. Each runs once, in its own transaction, recorded
/// in <c>schema_migrations</c>.
/// </summary>
/// <remarks>
/// What is stored, and why: tokens and origin keys only as SHA-256 (the edge needs nothing more); the site's
/// HMAC secret and its static headers and query parameters in clear, because the edge must send them and
/// the control plane is where they come from. The file is therefore created owner-only.
/// </remarks>
internal static class Migrations
{
    public static IReadOnlyList<Migration> All { get; } =
    [
        new(1, "sites, plans with revisions, resources, tokens, latest snapshot", """
            CREATE TABLE sites (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                slug TEXT NOT NULL UNIQUE,
                origin_url TEXT NOT NULL,
                hmac_secret BLOB NOT NULL,
                origin_key_hash BLOB NOT NULL,
                deny_by_default INTEGER NOT NULL,
                created_at_unix INTEGER NOT NULL
            );

            CREATE TABLE site_hosts (
                site_id TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
                position INTEGER NOT NULL,
                host TEXT NOT NULL,
                PRIMARY KEY (site_id, position)
            );

            -- Static headers (kind 'header') and query parameters (kind 'query') the edge adds when forwarding.
            CREATE TABLE site_injections (
                site_id TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
                kind TEXT NOT NULL CHECK (kind IN ('header', 'query')),
                position INTEGER NOT NULL,
                name TEXT NOT NULL,
                value TEXT NOT NULL,
                PRIMARY KEY (site_id, kind, position)
            );

            CREATE TABLE plans (
                id TEXT PRIMARY KEY,
                site_id TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
                current_revision INTEGER NOT NULL,
                created_at_unix INTEGER NOT NULL
            );

            -- A plan's terms never change in place: an update adds a revision, and tokens stay on the revision
            -- they were issued (or migrated) on.
            CREATE TABLE plan_revisions (
                plan_id TEXT NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
                revision INTEGER NOT NULL,
                name TEXT NOT NULL,
                quota_units INTEGER,
                quota_period INTEGER NOT NULL,
                quota_mode INTEGER NOT NULL,
                rate_limit_requests INTEGER,
                rate_limit_window_seconds INTEGER NOT NULL,
                price_micros INTEGER NOT NULL,
                currency TEXT NOT NULL,
                created_at_unix INTEGER NOT NULL,
                PRIMARY KEY (plan_id, revision)
            );

            CREATE TABLE resources (
                id TEXT PRIMARY KEY,
                site_id TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
                pattern TEXT NOT NULL,
                methods TEXT NOT NULL,
                cost INTEGER NOT NULL,
                private_path TEXT,
                created_at_unix INTEGER NOT NULL
            );

            -- The entitlement: one per issued token, kept across rotations (the edge counts usage by its id).
            CREATE TABLE tokens (
                id TEXT PRIMARY KEY,
                site_id TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
                plan_id TEXT NOT NULL,
                plan_revision INTEGER NOT NULL,
                customer TEXT NOT NULL,
                expires_at_unix INTEGER NOT NULL,
                revoked_at_unix INTEGER,
                created_at_unix INTEGER NOT NULL,
                FOREIGN KEY (plan_id, plan_revision) REFERENCES plan_revisions(plan_id, revision)
            );
            CREATE INDEX tokens_by_plan ON tokens(plan_id);

            -- The token strings of an entitlement, as SHA-256 only. A rotation adds one and gives the old one an expiry.
            CREATE TABLE token_hashes (
                hash BLOB PRIMARY KEY,
                token_id TEXT NOT NULL REFERENCES tokens(id) ON DELETE CASCADE,
                expires_at_unix INTEGER NOT NULL,
                created_at_unix INTEGER NOT NULL
            );
            CREATE INDEX token_hashes_by_token ON token_hashes(token_id);

            -- The latest signed snapshot; its version is the counter every change increments.
            CREATE TABLE snapshot (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                version INTEGER NOT NULL,
                created_at_unix_ms INTEGER NOT NULL,
                bytes BLOB NOT NULL,
                signature BLOB NOT NULL
            );
            """),
        new(2, "prepaid balances: deposits, credited totals, latest wallet book", """
            -- Every credit, kept for good: no foreign key to sites, so deleting a site never deletes money records
            -- (its ledger stays readable for reconciliation). seq orders the ledger and pages it.
            CREATE TABLE deposits (
                seq INTEGER PRIMARY KEY,
                id TEXT NOT NULL UNIQUE,
                site_id TEXT NOT NULL,
                customer TEXT NOT NULL,
                currency TEXT NOT NULL,
                amount_micros INTEGER NOT NULL CHECK (amount_micros > 0),
                idempotency_key TEXT NOT NULL,
                credited_after_micros INTEGER NOT NULL,
                wallet_version INTEGER NOT NULL,
                created_at_unix_ms INTEGER NOT NULL,
                UNIQUE (site_id, customer, idempotency_key)
            );

            -- The sum of a balance's deposits, kept beside them (same transaction) so a wallet book is one scan
            -- of balances, not of every deposit ever made.
            CREATE TABLE wallets (
                site_id TEXT NOT NULL,
                customer TEXT NOT NULL,
                currency TEXT NOT NULL,
                credited_micros INTEGER NOT NULL CHECK (credited_micros >= 0),
                PRIMARY KEY (site_id, customer, currency)
            );

            -- The latest signed wallet book; its version is the counter every deposit increments.
            CREATE TABLE wallet_book (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                version INTEGER NOT NULL,
                created_at_unix_ms INTEGER NOT NULL,
                bytes BLOB NOT NULL,
                signature BLOB NOT NULL
            );
            """),

        // Number 3: the lead's wallets take 2. A database may hold 1 and 3 without 2 until the merge; the migrator
        // applies whatever is above the recorded maximum, so keep the numbers as they are once released.
        new(3, "stripe accounts, prices, checkouts, subscriptions, webhook events", """
            -- One Stripe account per site. Both secrets are AES-GCM ciphertexts (Billing/StripeSecretBox); the key
            -- lives in its own file beside the signing key, so a copy of the database alone reveals neither.
            CREATE TABLE stripe_accounts (
                site_id TEXT PRIMARY KEY REFERENCES sites(id) ON DELETE CASCADE,
                secret_key_box BLOB NOT NULL,
                webhook_secret_box BLOB NOT NULL,
                key_last4 TEXT NOT NULL,
                live INTEGER NOT NULL,
                connected_at_unix INTEGER NOT NULL
            );

            -- A plan's Stripe Product, and one Price per plan revision: a revision is never an edited Price.
            CREATE TABLE stripe_products (
                plan_id TEXT PRIMARY KEY REFERENCES plans(id) ON DELETE CASCADE,
                product_id TEXT NOT NULL
            );
            CREATE TABLE stripe_prices (
                price_id TEXT PRIMARY KEY,
                plan_id TEXT NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
                plan_revision INTEGER NOT NULL,
                created_at_unix INTEGER NOT NULL,
                UNIQUE (plan_id, plan_revision)
            );

            -- A checkout we asked Stripe for. The claim secret is kept as SHA-256 only; the token does not exist
            -- until the claim, so it is never stored in clear anywhere.
            CREATE TABLE stripe_checkouts (
                id TEXT PRIMARY KEY,
                site_id TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
                plan_id TEXT NOT NULL,
                plan_revision INTEGER NOT NULL,
                customer_ref TEXT,
                customer_email TEXT NOT NULL,
                session_id TEXT NOT NULL UNIQUE,
                claim_hash BLOB NOT NULL UNIQUE,
                claim_expires_at_unix INTEGER NOT NULL,
                claimed_at_unix INTEGER,
                created_at_unix INTEGER NOT NULL
            );

            -- The provisioned subscription: one token per subscription and per checkout (the unique constraints
            -- make provisioning idempotent whichever path, webhook or claim, gets there first).
            CREATE TABLE stripe_subscriptions (
                subscription_id TEXT PRIMARY KEY,
                site_id TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
                checkout_id TEXT NOT NULL UNIQUE REFERENCES stripe_checkouts(id) ON DELETE CASCADE,
                token_id TEXT NOT NULL UNIQUE REFERENCES tokens(id) ON DELETE CASCADE,
                stripe_customer_id TEXT NOT NULL,
                status TEXT NOT NULL,
                price_id TEXT NOT NULL,
                cancel_at_period_end INTEGER NOT NULL,
                current_period_end_unix INTEGER NOT NULL,
                state_at_unix INTEGER NOT NULL,
                payment_state TEXT NOT NULL CHECK (payment_state IN ('none', 'paid', 'failed')),
                payment_state_at_unix INTEGER NOT NULL,
                payment_failed_at_unix INTEGER,
                paid_through_unix INTEGER
            );

            -- Every webhook event processed, committed with what it changed: a retry or a replay finds its id here.
            CREATE TABLE stripe_events (
                event_id TEXT PRIMARY KEY,
                site_id TEXT NOT NULL,
                type TEXT NOT NULL,
                created_unix INTEGER NOT NULL,
                outcome TEXT NOT NULL,
                processed_at_unix INTEGER NOT NULL
            );
            CREATE INDEX stripe_events_by_age ON stripe_events(processed_at_unix);
            """),

        // Number 4: wallets take 2, Stripe 3 (see above).
        new(4, "prices: per-call price, currency and payment on resources; billing and own prices on plan revisions; top-up URL and x402 terms on sites", """
            -- Defaults read existing rows as they were: free, paid by token, subscription, no top-up link, no x402.
            ALTER TABLE resources ADD COLUMN price_micros INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE resources ADD COLUMN currency TEXT NOT NULL DEFAULT 'USD';
            ALTER TABLE resources ADD COLUMN payment INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE plan_revisions ADD COLUMN billing INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE sites ADD COLUMN top_up_url TEXT;

            -- A revision's own price per call for a resource. Part of the revision's terms like the rest of
            -- them; a deleted resource takes its prices with it (the edge would refuse a price for no resource).
            CREATE TABLE plan_resource_prices (
                plan_id TEXT NOT NULL,
                revision INTEGER NOT NULL,
                resource_id TEXT NOT NULL REFERENCES resources(id) ON DELETE CASCADE,
                price_micros INTEGER NOT NULL,
                PRIMARY KEY (plan_id, revision, resource_id),
                FOREIGN KEY (plan_id, revision) REFERENCES plan_revisions(plan_id, revision) ON DELETE CASCADE
            );
            CREATE INDEX plan_resource_prices_by_resource ON plan_resource_prices(resource_id);

            -- x402 pay-per-call terms, at most one row per site. Public payment requirements, no secret.
            CREATE TABLE site_x402 (
                site_id TEXT PRIMARY KEY REFERENCES sites(id) ON DELETE CASCADE,
                facilitator_url TEXT NOT NULL,
                network TEXT NOT NULL,
                asset TEXT NOT NULL,
                pay_to TEXT NOT NULL,
                asset_name TEXT NOT NULL,
                asset_version TEXT NOT NULL,
                asset_decimals INTEGER NOT NULL,
                currency TEXT NOT NULL,
                max_timeout_seconds INTEGER NOT NULL
            );
            """),
        // Number 5: decision rollups (Usage/RollupStore).
        new(5, "usage rollups: per-minute decision aggregates from the edges, and the batches already applied", """
            -- One row per minute and (site, plan, resource, token, customer, decision, reason, currency); absent values
            -- are '' so the key is one. The edges send increments; a row only ever grows.
            CREATE TABLE usage_rollups (
                site_id TEXT NOT NULL,
                minute_unix_ms INTEGER NOT NULL,
                plan_id TEXT NOT NULL,
                resource TEXT NOT NULL,
                token_id TEXT NOT NULL,
                customer TEXT NOT NULL,
                decision TEXT NOT NULL,
                reason TEXT NOT NULL,
                currency TEXT NOT NULL,
                requests INTEGER NOT NULL,
                units INTEGER NOT NULL,
                charged_micros INTEGER NOT NULL,
                PRIMARY KEY (site_id, minute_unix_ms, plan_id, resource, token_id, customer, decision, reason, currency)
            ) WITHOUT ROWID;
            CREATE INDEX usage_rollups_by_minute ON usage_rollups(minute_unix_ms);
            CREATE INDEX usage_rollups_by_customer ON usage_rollups(customer, minute_unix_ms);
            CREATE INDEX usage_rollups_by_plan ON usage_rollups(plan_id, minute_unix_ms);

            -- Idempotency: a batch (edge id + the edge's batch id) is applied once; a retry finds its row and adds nothing.
            CREATE TABLE usage_rollup_batches (
                edge TEXT NOT NULL,
                batch TEXT NOT NULL,
                rows INTEGER NOT NULL,
                received_at_unix INTEGER NOT NULL,
                PRIMARY KEY (edge, batch)
            ) WITHOUT ROWID;
            CREATE INDEX usage_rollup_batches_by_age ON usage_rollup_batches(received_at_unix);
            """),
        // Number 7: 5 and 6 are taken by parallel branches (see the note on 2 and 3 above).
        // Number 6: the dashboard's alerts (5 is the usage rollups').
        new(6, "alert webhooks, their events and deliveries", """
            -- A site's alert subscriptions. The secret signs deliveries, so it is kept (like a site's HMAC secret) in
            -- this owner-only file; it is shown once, when the subscription is created.
            CREATE TABLE webhooks (
                id TEXT PRIMARY KEY,
                site_id TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
                url TEXT NOT NULL,
                events TEXT NOT NULL,
                secret TEXT NOT NULL,
                created_at_unix INTEGER NOT NULL
            );

            -- Every alert raised; the dedupe key makes a threshold fire once (per period, per credited total...).
            CREATE TABLE webhook_events (
                id TEXT PRIMARY KEY,
                site_id TEXT NOT NULL,
                type TEXT NOT NULL,
                dedupe_key TEXT NOT NULL UNIQUE,
                body TEXT NOT NULL,
                created_at_unix_ms INTEGER NOT NULL
            );

            -- One per event and subscription: its last attempt, and when the next is due while it is pending.
            CREATE TABLE webhook_deliveries (
                id TEXT PRIMARY KEY,
                event_id TEXT NOT NULL REFERENCES webhook_events(id) ON DELETE CASCADE,
                webhook_id TEXT NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
                state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
                attempts INTEGER NOT NULL,
                last_status INTEGER,
                last_error TEXT,
                last_attempt_unix_ms INTEGER,
                next_attempt_unix_ms INTEGER NOT NULL,
                created_at_unix_ms INTEGER NOT NULL
            );
            CREATE INDEX webhook_deliveries_due ON webhook_deliveries(state, next_attempt_unix_ms);
            """),
        new(7, "revocation channel outbox: signed revocations and credits waiting to be added to the Redis stream", """
            -- Written in the transaction of the change it describes, deleted once XADD has it: a control plane stopped
            -- between the commit and the XADD sends it on its next start. Bytes and signature as the edges verify them.
            CREATE TABLE channel_outbox (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                bytes BLOB NOT NULL,
                signature BLOB NOT NULL,
                created_at_unix_ms INTEGER NOT NULL
            );
            """),
        new(8, "usage events reported by origins, and their totals per token and period", """
            -- Every usage event, written once. The idempotency key is unique per site: an origin's retry finds its row.
            CREATE TABLE usage_events (
                id TEXT PRIMARY KEY,
                site_id TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
                token_id TEXT NOT NULL,
                customer TEXT NOT NULL,
                metric TEXT NOT NULL,
                quantity INTEGER NOT NULL,
                units INTEGER NOT NULL,
                idempotency_key TEXT NOT NULL,
                occurred_at_unix_ms INTEGER NOT NULL,
                period_start_ms INTEGER NOT NULL,
                period_units INTEGER NOT NULL,
                created_at_unix_ms INTEGER NOT NULL,
                UNIQUE (site_id, idempotency_key)
            );

            -- Per token and billing period: the units of its events (what the Redis ledger field must reach) and
            -- how much of that Redis acknowledged; rows with pushed_units < units are retried.
            CREATE TABLE usage_event_totals (
                site_id TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
                token_id TEXT NOT NULL,
                period_start_ms INTEGER NOT NULL,
                units INTEGER NOT NULL,
                pushed_units INTEGER NOT NULL,
                expire_at_ms INTEGER NOT NULL,
                PRIMARY KEY (site_id, token_id, period_start_ms)
            );
            CREATE INDEX usage_event_totals_unpushed ON usage_event_totals(period_start_ms) WHERE pushed_units < units;
            """),
        new(9, "MCP: a resource's kind (plain HTTP or an MCP endpoint) and the MCP tool it prices", """
            -- Defaults read existing rows as they were: plain HTTP, no tool.
            ALTER TABLE resources ADD COLUMN kind INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE resources ADD COLUMN mcp_tool TEXT;
            """),
        new(10, "OpenAI-compatible resources: per-model prices per 1K tokens, default max tokens, end-user header, balance as message", """
            -- Defaults read existing rows as they were: no OpenAI settings. Prices are rows of their own, deleted with the resource.
            ALTER TABLE resources ADD COLUMN openai_default_max_tokens INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE resources ADD COLUMN openai_user_header TEXT;
            ALTER TABLE resources ADD COLUMN openai_balance_as_message INTEGER NOT NULL DEFAULT 0;
            CREATE TABLE resource_model_prices (
                resource_id TEXT NOT NULL REFERENCES resources(id) ON DELETE CASCADE,
                model TEXT NOT NULL,
                input_micros_per_1k INTEGER NOT NULL,
                output_micros_per_1k INTEGER NOT NULL,
                PRIMARY KEY (resource_id, model)
            );
            """),
        new(11, "stripe meter exports: overage sent (or to send) to Stripe as meter events", """
            -- Every meter event EdgeFence decided to send: its value is fixed when written, and its identifier is site,
            -- token, period and sequence, so a resend is the same event. sent_at_unix is NULL until Stripe took it.
            CREATE TABLE stripe_meter_exports (
                site_id TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
                token_id TEXT NOT NULL,
                stripe_customer_id TEXT NOT NULL,
                period_start_ms INTEGER NOT NULL,
                period_end_ms INTEGER NOT NULL,
                seq INTEGER NOT NULL,
                units INTEGER NOT NULL,
                identifier TEXT NOT NULL UNIQUE,
                created_at_unix INTEGER NOT NULL,
                sent_at_unix INTEGER,
                last_error TEXT,
                PRIMARY KEY (site_id, token_id, period_start_ms, seq)
            );
            CREATE INDEX stripe_meter_exports_pending ON stripe_meter_exports(created_at_unix) WHERE sent_at_unix IS NULL;
            CREATE INDEX stripe_meter_exports_by_token ON stripe_meter_exports(token_id, period_start_ms);
            """),
        new(12, "tokens suspended for an unpaid subscription", """
            -- Set when a Stripe subscription's payment failed past its grace period; cleared by the next paid invoice.
            -- The edge refuses a suspended token with 402 payment-overdue (the snapshot's token record carries it).
            ALTER TABLE tokens ADD COLUMN suspended_at_unix INTEGER;
            """),
        new(13, "snapshot deltas: the latest version and its state hash, the bounded delta history, what the current change touched", DeltaSchema()),
        new(14, "stripe meters and metered prices: a plan revision's overage price, the site's overage meter, the revision's metered price", """
            -- Per unit past a soft quota, in micro-units of the plan's currency; NULL: overage is not billed through Stripe.
            ALTER TABLE plan_revisions ADD COLUMN overage_price_micros INTEGER;

            -- The Billing Meter EdgeFence created (or found) in the site's Stripe account for an event name; forgotten
            -- with the prices when the site connects another account.
            CREATE TABLE stripe_meters (
                site_id TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
                event_name TEXT NOT NULL,
                meter_id TEXT NOT NULL,
                created_at_unix INTEGER NOT NULL,
                PRIMARY KEY (site_id, event_name)
            );

            -- Beside a revision's flat Price, its metered Price on the same Product (NULL: the revision has no overage price).
            ALTER TABLE stripe_prices ADD COLUMN metered_price_id TEXT;
            CREATE UNIQUE INDEX stripe_prices_metered ON stripe_prices(metered_price_id) WHERE metered_price_id IS NOT NULL;
            """),
        new(15, "openai resources whose origin meters itself: the response header or trailer it reports usage in", """
            -- NULL: the origin is not trusted to meter; the edge settles from the response body's usage.
            ALTER TABLE resources ADD COLUMN openai_origin_usage_header TEXT;
            """),
        // Number 16: 13 is reserved for delta snapshots, 15 was left free by the Stripe meters branch.
        new(16, "sites filtering MCP tools/list answers to the caller's plan", """
            ALTER TABLE sites ADD COLUMN mcp_filter_tools INTEGER NOT NULL DEFAULT 0;
            """),
    ];
    /// <summary>
    /// Migration 13. Triggers record what a change touched, whatever code path wrote it: the token hashes whose
    /// records may have changed (so the change's delta holds exactly those), and whether anything else the
    /// snapshot is made of changed (then the change sends a full snapshot). The runner empties both per change.
    /// </summary>
    private static string DeltaSchema()
    {
        var sql = new System.Text.StringBuilder("""
            -- The latest version (full snapshot or delta) and the hash the next delta chains to (see SnapshotDelta).
            CREATE TABLE snapshot_head (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                version INTEGER NOT NULL,
                state_hash BLOB NOT NULL
            );

            -- The last deltas, each from version - 1; an edge further behind gets a full snapshot.
            CREATE TABLE snapshot_deltas (
                version INTEGER PRIMARY KEY,
                created_at_unix_ms INTEGER NOT NULL,
                bytes BLOB NOT NULL,
                signature BLOB NOT NULL
            );

            CREATE TABLE snapshot_touched_tokens (hash BLOB PRIMARY KEY) WITHOUT ROWID;
            CREATE TABLE snapshot_touched_config (id INTEGER PRIMARY KEY CHECK (id = 1));

            CREATE TRIGGER snapshot_touch_token_insert AFTER INSERT ON tokens BEGIN
                INSERT OR IGNORE INTO snapshot_touched_tokens (hash) SELECT hash FROM token_hashes WHERE token_id = NEW.id;
            END;
            CREATE TRIGGER snapshot_touch_token_update AFTER UPDATE ON tokens BEGIN
                INSERT OR IGNORE INTO snapshot_touched_tokens (hash) SELECT hash FROM token_hashes WHERE token_id = NEW.id OR token_id = OLD.id;
            END;
            CREATE TRIGGER snapshot_touch_token_delete AFTER DELETE ON tokens BEGIN
                INSERT OR IGNORE INTO snapshot_touched_tokens (hash) SELECT hash FROM token_hashes WHERE token_id = OLD.id;
            END;
            CREATE TRIGGER snapshot_touch_hash_insert AFTER INSERT ON token_hashes BEGIN
                INSERT OR IGNORE INTO snapshot_touched_tokens (hash) VALUES (NEW.hash);
            END;
            CREATE TRIGGER snapshot_touch_hash_update AFTER UPDATE ON token_hashes BEGIN
                INSERT OR IGNORE INTO snapshot_touched_tokens (hash) VALUES (OLD.hash);
                INSERT OR IGNORE INTO snapshot_touched_tokens (hash) VALUES (NEW.hash);
            END;
            CREATE TRIGGER snapshot_touch_hash_delete AFTER DELETE ON token_hashes BEGIN
                INSERT OR IGNORE INTO snapshot_touched_tokens (hash) VALUES (OLD.hash);
            END;

            """);

        // Every table SnapshotReader builds sites, plans and resources from.
        string[] configTables = ["sites", "site_hosts", "site_injections", "site_x402", "plans", "plan_revisions", "plan_resource_prices", "resources", "resource_model_prices"];
        foreach (var table in configTables)
        {
            foreach (var operation in (string[])["INSERT", "UPDATE", "DELETE"])
            {
                sql.Append(System.Globalization.CultureInfo.InvariantCulture, $"CREATE TRIGGER snapshot_touch_{table}_{operation.ToLowerInvariant()} AFTER {operation} ON {table} BEGIN INSERT OR IGNORE INTO snapshot_touched_config (id) VALUES (1); END;\n");
            }
        }

        return sql.ToString();
    }
}
