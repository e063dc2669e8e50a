-- 0001 foundation: tenants and their API keys, WhatsApp sessions, servers, a minimal client
-- record, and messages with their append-only event history.
-- Times are UTC (timestamptz); money is integer cents; phones are E.164.

CREATE TABLE tenants (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  slug            text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
  name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  time_zone       text NOT NULL DEFAULT 'America/Sao_Paulo',
  callback_url    text,
  callback_secret text NOT NULL,              -- signs status callbacks (Standard Webhooks)
  created_at      timestamptz NOT NULL DEFAULT now()
);

-- Keys are shown once; we keep the SHA-256 of the whole key and a short public prefix.
CREATE TABLE api_keys (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id    bigint NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  prefix       text NOT NULL UNIQUE,
  key_hash     text NOT NULL UNIQUE,
  role         text NOT NULL CHECK (role IN ('owner', 'manager', 'finance', 'sales', 'support', 'sender')),
  label        text NOT NULL DEFAULT '',
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at   timestamptz
);
CREATE INDEX api_keys_tenant ON api_keys (tenant_id);

CREATE TABLE whatsapp_sessions (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id       bigint NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  name            text NOT NULL,
  provider        text NOT NULL CHECK (provider IN ('cloud_api', 'evolution', 'sandbox')),
  base_url        text NOT NULL,              -- "https://graph.facebook.com/v24.0", sandbox: "http://127.0.0.1:8090/v24.0"
  phone_number_id text,                       -- Cloud API sender id; routes status webhooks
  access_token    text NOT NULL DEFAULT '',   -- secret: never returned by an API
  -- pacing policy (enforced by the dispatcher core)
  min_interval_ms integer NOT NULL DEFAULT 1000 CHECK (min_interval_ms >= 0),
  jitter_ms       integer NOT NULL DEFAULT 0 CHECK (jitter_ms >= 0),
  burst           integer NOT NULL DEFAULT 1 CHECK (burst >= 1),
  daily_cap       integer NOT NULL DEFAULT 100 CHECK (daily_cap >= 0),
  window_start    time,                       -- local time in the tenant's zone; NULL = always
  window_end      time,
  state           text NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'paused')),
  paused_reason   text,
  is_default      boolean NOT NULL DEFAULT false,
  created_at      timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, name)
);
CREATE UNIQUE INDEX whatsapp_sessions_one_default ON whatsapp_sessions (tenant_id) WHERE is_default;
CREATE UNIQUE INDEX whatsapp_sessions_phone_number ON whatsapp_sessions (provider, phone_number_id)
  WHERE phone_number_id IS NOT NULL;

-- A server is a panel or product line; its clients' messages leave through its session.
CREATE TABLE servers (
  id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id         bigint NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  name              text NOT NULL,
  credit_cost_cents bigint NOT NULL DEFAULT 0 CHECK (credit_cost_cents >= 0),
  session_id        bigint REFERENCES whatsapp_sessions(id) ON DELETE SET NULL,
  created_at        timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, name)
);

-- The billing domain extends this table (admin issue).
CREATE TABLE clients (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id  bigint NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  server_id  bigint REFERENCES servers(id) ON DELETE SET NULL,
  name       text NOT NULL,
  phone      text NOT NULL,                   -- E.164
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX clients_tenant ON clients (tenant_id);

CREATE TABLE messages (
  id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id           bigint NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  session_id          bigint NOT NULL REFERENCES whatsapp_sessions(id),
  client_id           bigint REFERENCES clients(id) ON DELETE SET NULL,
  recipient           text NOT NULL,          -- E.164
  kind                text NOT NULL CHECK (kind IN ('text', 'template', 'media', 'contact')),
  content             jsonb NOT NULL,
  priority            smallint NOT NULL DEFAULT 1 CHECK (priority IN (0, 1)),  -- 0 transactional, 1 marketing
  status              text NOT NULL CHECK (status IN ('accepted', 'queued', 'sending', 'sent', 'delivered',
                                                      'read', 'failed', 'expired', 'cancelled')),
  status_reason       text,
  idempotency_key     text,
  metadata            jsonb,
  callback_url        text,
  send_at             timestamptz NOT NULL DEFAULT now(),
  expires_at          timestamptz NOT NULL,
  attempts            integer NOT NULL DEFAULT 0,
  provider_message_id text,
  wa_id               text,
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX messages_idempotency ON messages (tenant_id, idempotency_key)
  WHERE idempotency_key IS NOT NULL;
CREATE UNIQUE INDEX messages_provider_id ON messages (provider_message_id)
  WHERE provider_message_id IS NOT NULL;
-- The queue: what each session may send next.
CREATE INDEX messages_ready ON messages (session_id, priority, send_at, id) WHERE status = 'queued';
CREATE INDEX messages_in_flight ON messages (session_id) WHERE status = 'sending';

-- Append-only history: one row per transition, with when it happened and why.
CREATE TABLE message_events (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  message_id  bigint NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
  status      text NOT NULL,
  reason      text,
  detail      jsonb,
  occurred_at timestamptz NOT NULL DEFAULT now(),   -- provider's time for webhook events
  recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX message_events_message ON message_events (message_id, id);

-- RFC 3339 in UTC with microseconds, the one time format of our JSON answers.
CREATE FUNCTION disparo_rfc3339(t timestamptz) RETURNS text
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$ SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') $$;
