-- 0004 providers: Evolution API sessions, inbound webhooks (customer window, opt-outs), provider
-- templates, phone-number quality, connection state and QR codes, new message kinds.

-- Interactive reply-button messages.
ALTER TABLE messages DROP CONSTRAINT messages_kind_check;
ALTER TABLE messages ADD CONSTRAINT messages_kind_check
  CHECK (kind IN ('text', 'template', 'media', 'contact', 'buttons'));

-- Evolution sessions: base_url is the Evolution server, access_token its apikey.
ALTER TABLE whatsapp_sessions ADD COLUMN instance_name text;
-- Sent back by Evolution in the X-Disparo-Webhook-Secret header (set with /webhook/set).
ALTER TABLE whatsapp_sessions ADD COLUMN webhook_secret text;
-- Cloud API: the WhatsApp Business Account; template status webhooks are per WABA.
ALTER TABLE whatsapp_sessions ADD COLUMN waba_id text;
-- phone_number_quality_update (Cloud API).
ALTER TABLE whatsapp_sessions ADD COLUMN quality_rating text;
ALTER TABLE whatsapp_sessions ADD COLUMN messaging_tier text;
ALTER TABLE whatsapp_sessions ADD COLUMN quality_updated_at timestamptz;
-- connection.update and qrcode.updated (Evolution).
ALTER TABLE whatsapp_sessions ADD COLUMN connection_state text;
ALTER TABLE whatsapp_sessions ADD COLUMN connection_reason text;
ALTER TABLE whatsapp_sessions ADD COLUMN qr_code text;
ALTER TABLE whatsapp_sessions ADD COLUMN pairing_code text;
ALTER TABLE whatsapp_sessions ADD COLUMN qr_updated_at timestamptz;
-- Who paused the session: an automatic pause by a provider event (connection closed) is lifted
-- by the provider's "open"; an operator's pause only by an operator.
ALTER TABLE whatsapp_sessions ADD COLUMN paused_by_provider boolean NOT NULL DEFAULT false;
-- Refuse free-form messages outside the 24-hour window at acceptance. NULL = by provider (on for
-- cloud_api, off for sandbox and evolution).
ALTER TABLE whatsapp_sessions ADD COLUMN customer_window_check boolean;
CREATE UNIQUE INDEX whatsapp_sessions_instance ON whatsapp_sessions (base_url, instance_name)
  WHERE instance_name IS NOT NULL;

-- Opt-out keywords per tenant (compared upper-case without accents, whole message trimmed).
ALTER TABLE tenants ADD COLUMN opt_out_keywords text[] NOT NULL
  DEFAULT ARRAY['SAIR', 'PARAR', 'STOP', 'CANCELAR', 'DESCADASTRAR'];
ALTER TABLE tenants ADD COLUMN opt_in_keywords text[] NOT NULL DEFAULT ARRAY['VOLTAR'];

-- Last inbound message per (session, person): the 24-hour customer-service window.
-- contact_key = phone::digits_without_ninth (both spellings of a BR mobile share it).
CREATE TABLE customer_windows (
  session_id      bigint NOT NULL REFERENCES whatsapp_sessions(id) ON DELETE CASCADE,
  contact_key     text NOT NULL,
  last_inbound_at timestamptz NOT NULL,
  PRIMARY KEY (session_id, contact_key)
);

-- People who asked not to receive marketing; removed when they opt in again.
CREATE TABLE opt_outs (
  tenant_id    bigint NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  contact_key  text NOT NULL,
  keyword      text NOT NULL,
  session_id   bigint REFERENCES whatsapp_sessions(id) ON DELETE SET NULL,
  opted_out_at timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, contact_key)
);

-- Cloud API template status as Meta reports it (message_template_status_update).
CREATE TABLE provider_templates (
  waba_id     text NOT NULL,
  name        text NOT NULL,
  language    text NOT NULL,
  status      text NOT NULL,
  reason      text,
  template_id text,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (waba_id, name, language)
);

-- Raw provider webhooks, stored before they are processed ("persist, then process"): the POST
-- is acknowledged once the row is committed; a processor applies it and sets processed_at.
CREATE TABLE provider_webhook_inbox (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  provider     text NOT NULL CHECK (provider IN ('cloud_api', 'evolution')),
  session_id   bigint REFERENCES whatsapp_sessions(id) ON DELETE CASCADE,  -- evolution only
  body         text NOT NULL,
  received_at  timestamptz NOT NULL DEFAULT now(),
  attempts     integer NOT NULL DEFAULT 0,
  processed_at timestamptz,
  error        text
);
CREATE INDEX provider_webhook_inbox_pending ON provider_webhook_inbox (id) WHERE processed_at IS NULL;

