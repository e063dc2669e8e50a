-- 0006 admin money: payments (each remembering the due date it replaced, so the latest one can be
-- rolled back exactly), per-tenant settings (Asaas webhook token, payment confirmation message)
-- and the log of Asaas webhook events (deduplicated by their id).
-- Money is integer cents; times are timestamptz (UTC); dates are the tenant's local dates.

CREATE TABLE payments (
  id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id         bigint NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  client_id         bigint NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
  amount_cents      bigint NOT NULL CHECK (amount_cents > 0),
  method            text NOT NULL CHECK (method IN ('pix', 'card', 'boleto', 'cash')),
  paid_at           timestamptz NOT NULL,
  -- paid_at as a local date in the tenant's zone when recorded: the "same date" of the duplicate
  -- rule and the day of the dashboard's per-day figures.
  paid_on           date NOT NULL,
  external_id       text CHECK (length(external_id) BETWEEN 1 AND 200),
  source            text NOT NULL DEFAULT 'api' CHECK (source IN ('api', 'asaas')),
  -- What this payment did to the client's due date: rolling it back restores previous_due_date.
  previous_due_date date,
  new_due_date      date NOT NULL,
  created_by_key    bigint REFERENCES api_keys(id) ON DELETE SET NULL,
  created_at        timestamptz NOT NULL DEFAULT now(),
  deleted_at        timestamptz,
  deleted_reason    text
);
-- One payment per external id (Asaas payment id, a CRM's id) per tenant, deleted or not, so a
-- webhook retried after a refund never records the payment again.
CREATE UNIQUE INDEX payments_external_id ON payments (tenant_id, external_id) WHERE external_id IS NOT NULL;
-- Listing (newest first, keyset) and the dashboard's period sums.
CREATE INDEX payments_tenant_paid ON payments (tenant_id, paid_at DESC, id DESC);
CREATE INDEX payments_tenant_paid_on ON payments (tenant_id, paid_on) WHERE deleted_at IS NULL;
-- The latest live payment of a client (rollback, duplicate rule) and the ON DELETE CASCADE.
CREATE INDEX payments_client ON payments (client_id, id);

-- clients.last_payment_at follows the live payments (function defined in 0005).
CREATE TRIGGER payments_last_payment AFTER INSERT OR UPDATE OR DELETE ON payments
  FOR EACH ROW EXECUTE FUNCTION disparo_refresh_client_last_payment();

-- One row per tenant, created on first write; absent = defaults (no token, no confirmation).
CREATE TABLE tenant_settings (
  tenant_id                     bigint PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
  asaas_webhook_token           text CHECK (length(asaas_webhook_token) BETWEEN 16 AND 255),  -- secret
  payment_confirmation_enabled  boolean NOT NULL DEFAULT false,
  -- Placeholders: {name}, {amount} (R$ 1.234,56), {due_date} (dd/mm/yyyy), {method}.
  payment_confirmation_text     text NOT NULL DEFAULT
    'Olá {name}, recebemos seu pagamento de {amount}. Próximo vencimento: {due_date}. Obrigado!'
    CHECK (length(payment_confirmation_text) BETWEEN 1 AND 4000),
  updated_at                    timestamptz NOT NULL DEFAULT now()
);

-- Every Asaas webhook call we accepted (authenticated), deduplicated by the event id: Asaas
-- delivers at least once.
CREATE TABLE asaas_events (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id   bigint NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  event_id    text NOT NULL,
  event       text NOT NULL,
  payment_id  text,                 -- Asaas "pay_..."
  outcome     text NOT NULL,        -- recorded, reversed, ignored, duplicate, unmatched
  payload     jsonb NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, event_id)
);
