-- 0002 pacing and callbacks: what the pacing engine needs to survive restarts (a ledger of
-- started sends), campaign groups on messages, warm-up, and the outbox of status callbacks.

-- Every send the dispatcher started, written in the same statement that claims the message.
-- It is the memory of the limiter: sends today (daily cap), the last sends (interval, burst),
-- recent recipients (pair spacing) and groups (campaign pacing) after a restart or a handover.
CREATE TABLE session_sends (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  session_id  bigint NOT NULL REFERENCES whatsapp_sessions(id) ON DELETE CASCADE,
  message_id  bigint NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
  recipient   text NOT NULL,
  group_id    text,
  started_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX session_sends_recent ON session_sends (session_id, started_at);

-- A campaign run (or any group) with its own "wait N seconds between clients".
ALTER TABLE messages ADD COLUMN group_id text;
ALTER TABLE messages ADD COLUMN group_interval_ms integer CHECK (group_interval_ms >= 0);

-- Warm-up: a new number's daily cap ramps from warmup_start_cap to daily_cap over warmup_days,
-- counted from warmup_started_on (a local date in the tenant's zone).
ALTER TABLE whatsapp_sessions ADD COLUMN warmup_start_cap integer CHECK (warmup_start_cap >= 0);
ALTER TABLE whatsapp_sessions ADD COLUMN warmup_days integer CHECK (warmup_days >= 0);
ALTER TABLE whatsapp_sessions ADD COLUMN warmup_started_on date;
ALTER TABLE whatsapp_sessions ADD COLUMN paused_at timestamptz;

-- Status callbacks to the CRM (Standard Webhooks), filled by a trigger on every status change
-- so no transition can forget it; delivered by the dispatcher with retries.
CREATE TABLE callback_deliveries (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id       bigint NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  message_id      bigint NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
  url             text NOT NULL,
  event_type      text NOT NULL,                 -- "message.sent", "message.read", ...
  payload         jsonb NOT NULL,
  state           text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
  attempts        integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  created_at      timestamptz NOT NULL DEFAULT now(),
  delivered_at    timestamptz
);
CREATE INDEX callback_deliveries_due ON callback_deliveries (next_attempt_at) WHERE state = 'pending';
-- Per-message ordering of callbacks and ON DELETE CASCADE both look deliveries up by message.
CREATE INDEX callback_deliveries_message ON callback_deliveries (message_id, id);

CREATE TABLE callback_attempts (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  delivery_id   bigint NOT NULL REFERENCES callback_deliveries(id) ON DELETE CASCADE,
  attempted_at  timestamptz NOT NULL DEFAULT now(),
  http_status   integer,                        -- NULL when no answer came
  error         text,
  duration_ms   integer
);
CREATE INDEX callback_attempts_delivery ON callback_attempts (delivery_id, id);

CREATE FUNCTION disparo_enqueue_status_callback() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  target text;
BEGIN
  IF NEW.status IS NOT DISTINCT FROM OLD.status THEN
    RETURN NEW;
  END IF;
  target := COALESCE(NEW.callback_url, (SELECT callback_url FROM tenants WHERE id = NEW.tenant_id));
  IF target IS NULL OR target = '' THEN
    RETURN NEW;
  END IF;
  INSERT INTO callback_deliveries (tenant_id, message_id, url, event_type, payload)
  VALUES (NEW.tenant_id, NEW.id, target, 'message.' || NEW.status,
          jsonb_build_object(
            'type', 'message.' || NEW.status,
            'timestamp', disparo_rfc3339(now()),
            'data', jsonb_build_object(
              'id', NEW.id::text, 'status', NEW.status, 'previous_status', OLD.status,
              'reason', NEW.status_reason, 'to', NEW.recipient, 'session', NEW.session_id::text,
              'provider_message_id', NEW.provider_message_id, 'metadata', NEW.metadata,
              'idempotency_key', NEW.idempotency_key)));
  RETURN NEW;
END $$;

CREATE TRIGGER messages_status_callback AFTER UPDATE OF status ON messages
  FOR EACH ROW EXECUTE FUNCTION disparo_enqueue_status_callback();

-- What a session is waiting for, written by the queue that runs it, so a queued message can say
-- why it has not left yet ("daily cap reached", "outside the sending window").
ALTER TABLE whatsapp_sessions ADD COLUMN hold_reason text;
ALTER TABLE whatsapp_sessions ADD COLUMN next_send_at timestamptz;

-- Pauses and resumes of sessions, with who or what caused them.
CREATE TABLE session_events (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  session_id  bigint NOT NULL REFERENCES whatsapp_sessions(id) ON DELETE CASCADE,
  state       text NOT NULL CHECK (state IN ('active', 'paused')),
  reason      text,
  occurred_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX session_events_session ON session_events (session_id, id);

-- Which dispatcher instance runs a session's queue, until when. Checked and renewed by the claim
-- statement itself, so no instance can claim a message of a session it does not own; a dead
-- instance's lease simply runs out and another takes over (after rebuilding the pace from
-- session_sends).
ALTER TABLE whatsapp_sessions ADD COLUMN lease_owner text;
ALTER TABLE whatsapp_sessions ADD COLUMN lease_until timestamptz;
