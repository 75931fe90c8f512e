-- +goose Up
-- Trading partners and their onboarding: identifiers, contacts, API keys,
-- partner-level policy overrides and the four-eyes go-live approval.
-- Unset identifiers are '' (not NULL), like the other text columns.

CREATE TABLE partners (
    id            bigserial   PRIMARY KEY,
    -- Short, stable handle used in URLs, logs and audit entity ids; never changes.
    code          text        NOT NULL UNIQUE CHECK (code ~ '^[A-Z0-9][A-Z0-9_-]{1,31}$'),
    name          text        NOT NULL CHECK (btrim(name) <> ''),
    -- draft -> testing -> certified -> live <-> suspended; live only through an approved go-live request.
    status        text        NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'testing', 'certified', 'live', 'suspended')),
    -- X12 ISA05/06 (sender) or ISA07/08 (receiver): stored trimmed, padded to 15 when an envelope is written.
    isa_qualifier text        NOT NULL DEFAULT '' CHECK (isa_qualifier = '' OR isa_qualifier ~ '^[0-9A-Z]{2}$'),
    isa_id        text        NOT NULL DEFAULT '' CHECK (length(isa_id) <= 15 AND isa_id = btrim(isa_id)),
    -- X12 GS02/GS03 application sender/receiver code.
    gs_app_code   text        NOT NULL DEFAULT '' CHECK (length(gs_app_code) <= 15 AND gs_app_code = btrim(gs_app_code)),
    gln           text        NOT NULL DEFAULT '' CHECK (gln = '' OR gln ~ '^[0-9]{13}$'),
    duns          text        NOT NULL DEFAULT '' CHECK (duns = '' OR duns ~ '^[0-9]{9}$'),
    notes         text        NOT NULL DEFAULT '',
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT partners_isa_pair CHECK ((isa_qualifier = '') = (isa_id = ''))
);
-- One partner per ISA sender identity: inbound interchanges are routed by it.
CREATE UNIQUE INDEX partners_isa_key ON partners (isa_qualifier, isa_id) WHERE isa_id <> '';
CREATE INDEX partners_gln_idx ON partners (gln) WHERE gln <> '';
CREATE INDEX partners_status_idx ON partners (status);
CREATE INDEX partners_name_lower_idx ON partners (lower(name) text_pattern_ops);

CREATE TABLE partner_contacts (
    id         bigserial   PRIMARY KEY,
    partner_id bigint      NOT NULL REFERENCES partners(id) ON DELETE CASCADE,
    name       text        NOT NULL CHECK (btrim(name) <> ''),
    email      text        NOT NULL DEFAULT '',
    phone      text        NOT NULL DEFAULT '',
    role       text        NOT NULL CHECK (role IN ('business', 'technical', 'escalation')),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX partner_contacts_partner_idx ON partner_contacts (partner_id);

-- API keys of partner systems. The token is shown once; only its SHA-256 is
-- kept, with a short prefix to recognise it. Rotation links the old key to
-- its replacement and lets the old one work until overlap_until.
CREATE TABLE partner_api_keys (
    id              bigserial   PRIMARY KEY,
    partner_id      bigint      NOT NULL REFERENCES partners(id) ON DELETE CASCADE,
    prefix          text        NOT NULL CHECK (prefix ~ '^[0-9a-f]{8}$'),
    hash            bytea       NOT NULL UNIQUE CHECK (length(hash) = 32),
    label           text        NOT NULL CHECK (btrim(label) <> ''),
    created_by      text        NOT NULL DEFAULT '',
    created_by_name text        NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz,
    last_used_at    timestamptz,
    revoked_at      timestamptz,
    replaced_by_id  bigint      REFERENCES partner_api_keys(id) ON DELETE SET NULL,
    overlap_until   timestamptz,
    CONSTRAINT partner_api_keys_rotation CHECK (replaced_by_id IS NULL OR overlap_until IS NOT NULL)
);
CREATE INDEX partner_api_keys_partner_idx ON partner_api_keys (partner_id, created_at DESC);

-- Partner-level policy settings (the catalog's effective-policy hook): one
-- opaque settings document for all API versions (api_version_id NULL) and
-- at most one per API version; internal/policy parses and validates them.
CREATE TABLE partner_policy_overrides (
    id             bigserial   PRIMARY KEY,
    partner_id     bigint      NOT NULL REFERENCES partners(id) ON DELETE CASCADE,
    api_version_id bigint      REFERENCES api_versions(id) ON DELETE CASCADE,
    settings       jsonb       NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(settings) = 'object'),
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX partner_policy_overrides_key ON partner_policy_overrides (partner_id, COALESCE(api_version_id, 0));
CREATE INDEX partner_policy_overrides_version_idx ON partner_policy_overrides (api_version_id) WHERE api_version_id IS NOT NULL;

-- Four-eyes go-live: one person requests, a different person approves.
-- from_status is certified (first go-live) or suspended (reinstatement).
CREATE TABLE go_live_requests (
    id                bigserial   PRIMARY KEY,
    partner_id        bigint      NOT NULL REFERENCES partners(id) ON DELETE CASCADE,
    from_status       text        NOT NULL CHECK (from_status IN ('certified', 'suspended')),
    requested_by      text        NOT NULL CHECK (requested_by <> ''),
    requested_by_name text        NOT NULL DEFAULT '',
    requested_at      timestamptz NOT NULL,
    decided_by        text,
    decided_by_name   text,
    decided_at        timestamptz,
    decision          text        CHECK (decision IN ('approved', 'rejected')),
    reason            text        NOT NULL DEFAULT '',
    CONSTRAINT go_live_requests_decided CHECK ((decision IS NULL) = (decided_at IS NULL) AND (decision IS NULL) = (decided_by IS NULL)),
    -- The requester may withdraw (reject) their own request, never approve it.
    CONSTRAINT go_live_requests_four_eyes CHECK (decision IS DISTINCT FROM 'approved' OR decided_by <> requested_by)
);
-- At most one pending request per partner.
CREATE UNIQUE INDEX go_live_requests_pending_key ON go_live_requests (partner_id) WHERE decision IS NULL;
CREATE INDEX go_live_requests_partner_idx ON go_live_requests (partner_id, requested_at DESC);

-- +goose Down
DROP TABLE go_live_requests;
DROP TABLE partner_policy_overrides;
DROP TABLE partner_api_keys;
DROP TABLE partner_contacts;
DROP TABLE partners;
