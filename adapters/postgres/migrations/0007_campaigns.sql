-- 0007 campaigns: message templates with placeholders, campaigns (admin defines, the dispatcher's
-- scheduler runs), their runs and exclusions, where every message came from, and the tenant's
-- automatic messages. Local times and dates are in the tenant's time zone.

-- A tenant's message template. `body` is the text (or the media caption) with placeholders such as
-- {nome} or {vencimento}, validated when saved (campaigns/placeholders.hpp). For Cloud API sessions
-- the template maps to an approved provider template whose positional parameters {{1}}, {{2}}, ...
-- are bound, in order, to `provider_params` (each itself a text with placeholders, e.g. '{nome}').
CREATE TABLE message_templates (
  id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id         bigint NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  name              text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  kind              text NOT NULL CHECK (kind IN ('text', 'media', 'audio', 'contact')),
  body              text NOT NULL DEFAULT '' CHECK (length(body) <= 4096),
  media_type        text CHECK (media_type IN ('image', 'video', 'document')),  -- kind media
  media_url         text,                                                       -- media, audio
  filename          text,                                                       -- document
  contact_name      text,                                                       -- kind contact
  contact_phone     text,                                                       -- E.164
  provider_template text,           -- Cloud API template name; NULL = no mapping
  provider_language text,           -- "pt_BR"
  provider_params   text[] NOT NULL DEFAULT '{}',
  archived_at       timestamptz,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, name),
  CHECK (kind <> 'media' OR (media_type IS NOT NULL AND media_url IS NOT NULL)),
  CHECK (kind <> 'audio' OR media_url IS NOT NULL),
  CHECK (kind <> 'contact' OR (contact_name IS NOT NULL AND contact_phone IS NOT NULL)),
  CHECK ((provider_template IS NULL) = (provider_language IS NULL))
);

-- A campaign: who (audience), what (template), when (schedule) and how fast (interval).
-- Audience: clients of `server_ids` (NULL = all servers) whose derived status matches
-- `audience_status`; with anchor 'due_date', today - due_date = day_offset (-3 = due in three days,
-- +30 = overdue for thirty); with anchor 'created', days since creation = day_offset (post-sale);
-- optional plan, channel and tag filters (NULL = any).
-- Schedule: `schedule_days` is a bit set of ISO weekdays (bit 0 = Monday ... bit 6 = Sunday) at
-- local `schedule_time`; 0 = manual only. `slots_done_until`: every slot up to this instant has a
-- run row (requested, or skipped when missed beyond the catch-up window); the scheduler advances it.
CREATE TABLE campaigns (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id        bigint NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  name             text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  kind             text NOT NULL CHECK (kind IN ('billing', 'recovery', 'referral', 'post_sale', 'custom')),
  template_id      bigint NOT NULL REFERENCES message_templates(id),
  server_ids       bigint[],
  audience_status  text NOT NULL DEFAULT 'any' CHECK (audience_status IN ('active', 'overdue', 'suspended', 'any')),
  audience_anchor  text NOT NULL DEFAULT 'none' CHECK (audience_anchor IN ('none', 'due_date', 'created')),
  day_offset       integer CHECK (day_offset BETWEEN -366 AND 3660),
  plan_ids         bigint[],
  channel_ids      bigint[],
  tags             text[],
  schedule_days    smallint NOT NULL DEFAULT 0 CHECK (schedule_days BETWEEN 0 AND 127),
  schedule_time    time,
  interval_seconds integer NOT NULL DEFAULT 0 CHECK (interval_seconds BETWEEN 0 AND 86400),
  active           boolean NOT NULL DEFAULT true,
  preset           text CHECK (preset IN ('recovery', 'referral', 'post_sale')),
  slots_done_until timestamptz,
  archived_at      timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, name),
  CHECK ((audience_anchor = 'none') = (day_offset IS NULL)),
  CHECK (schedule_days = 0 OR schedule_time IS NOT NULL)
);
CREATE INDEX campaigns_scheduled ON campaigns (id) WHERE active AND schedule_days <> 0 AND archived_at IS NULL;

-- One run of a campaign: a schedule slot or a manual "run now". (campaign, trigger, slot_at) is
-- unique, so a slot runs at most once whoever materialises it. A run is expanded into messages
-- in ONE transaction (state requested -> sending), then completes when its last message is final.
CREATE TABLE campaign_runs (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id     bigint NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  campaign_id   bigint NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
  trigger       text NOT NULL CHECK (trigger IN ('schedule', 'manual')),
  slot_at       timestamptz NOT NULL,        -- the slot's instant, or when "run now" was asked
  local_day     date NOT NULL,               -- the tenant's date of slot_at: the audience's "today"
  state         text NOT NULL CHECK (state IN ('requested', 'sending', 'completed', 'skipped', 'failed')),
  state_reason  text,
  recipients    integer,                     -- messages enqueued (set by the expansion)
  excluded      integer,
  requested_by  text,                        -- API key prefix for manual runs
  requested_at  timestamptz NOT NULL DEFAULT now(),
  started_at    timestamptz,                 -- expansion committed
  finished_at   timestamptz,                 -- every message final (or skipped/failed)
  UNIQUE (campaign_id, trigger, slot_at)
);
CREATE INDEX campaign_runs_requested ON campaign_runs (requested_at, id) WHERE state = 'requested';
CREATE INDEX campaign_runs_sending ON campaign_runs (id) WHERE state = 'sending';
CREATE INDEX campaign_runs_tenant ON campaign_runs (tenant_id, campaign_id, id DESC);

-- Clients a run left out, and why: blocked, archived, opted_out, no_session, already_reached_today,
-- no_provider_template (a Cloud API session and a template without an approved mapping).
CREATE TABLE campaign_exclusions (
  run_id    bigint NOT NULL REFERENCES campaign_runs(id) ON DELETE CASCADE,
  client_id bigint NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
  reason    text NOT NULL,
  PRIMARY KEY (run_id, client_id)
);

-- Where a message came from; a campaign's messages point at their run (per-recipient status is
-- the message's own status). Existing rows are API messages.
ALTER TABLE messages ADD COLUMN origin text NOT NULL DEFAULT 'api'
  CHECK (origin IN ('api', 'campaign', 'automation', 'scheduled', 'manual'));
ALTER TABLE messages ADD COLUMN campaign_run_id bigint REFERENCES campaign_runs(id) ON DELETE SET NULL;
CREATE INDEX messages_campaign_run ON messages (campaign_run_id, status) WHERE campaign_run_id IS NOT NULL;
CREATE INDEX messages_scheduled ON messages (tenant_id, send_at DESC, id DESC) WHERE origin = 'scheduled';

-- Automatic messages: welcome (on client creation, with access data) and payment confirmation,
-- each with its own template and switch. A confirmation without a template keeps the text above.
ALTER TABLE tenant_settings
  ADD COLUMN welcome_enabled              boolean NOT NULL DEFAULT false,
  ADD COLUMN welcome_template_id          bigint REFERENCES message_templates(id) ON DELETE SET NULL,
  ADD COLUMN payment_confirmation_template_id bigint REFERENCES message_templates(id) ON DELETE SET NULL;

-- Opt-outs are keyed by the phone without the ninth digit (common/phone.hpp digits_without_ninth);
-- the same key in SQL lets one statement exclude opted-out clients. Property-tested against C++.
CREATE FUNCTION disparo_contact_key(e164 text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT CASE
                 WHEN e164 ~ '^\+55[1-9][0-9]9[6-9][0-9]{7}$'
                   THEN substr(e164, 2, 4) || substr(e164, 7)
                 ELSE substr(e164, 2)
               END $$;

-- The scheduler never back-fills history: a campaign's slots start when it is created, activated
-- again, unarchived or rescheduled (slots before that are neither run nor recorded as skipped).
-- A statement that sets slots_done_until itself (tests driving a fake clock) keeps its value.
CREATE FUNCTION disparo_campaign_slots_start() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    NEW.slots_done_until := coalesce(NEW.slots_done_until, NEW.created_at);
  ELSIF NEW.slots_done_until IS NOT DISTINCT FROM OLD.slots_done_until
        AND ((NEW.active AND NOT OLD.active)
             OR (NEW.archived_at IS NULL AND OLD.archived_at IS NOT NULL)
             OR NEW.schedule_days <> OLD.schedule_days
             OR NEW.schedule_time IS DISTINCT FROM OLD.schedule_time) THEN
    NEW.slots_done_until := greatest(coalesce(OLD.slots_done_until, now()), now());
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER campaigns_slots_start BEFORE INSERT OR UPDATE ON campaigns
  FOR EACH ROW EXECUTE FUNCTION disparo_campaign_slots_start();

-- (TEMPLATES) The payment confirmation text moves to the template placeholder language
-- (campaigns/placeholders.hpp): {name} -> {nome}, {amount} -> {valor}, {due_date} -> {vencimento},
-- {method} -> {metodo}. Rewrites existing tenants' texts and the column default; without a
-- payment_confirmation_template_id the confirmation is still rendered from this text.
UPDATE tenant_settings SET payment_confirmation_text =
  replace(replace(replace(replace(payment_confirmation_text,
    '{name}', '{nome}'), '{amount}', '{valor}'), '{due_date}', '{vencimento}'), '{method}', '{metodo}');
ALTER TABLE tenant_settings ALTER COLUMN payment_confirmation_text SET DEFAULT
  'Olá {nome}, recebemos seu pagamento de {valor}. Próximo vencimento: {vencimento}. Obrigado!';
