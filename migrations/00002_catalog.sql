-- +goose Up
-- API catalog and governance: teams, systems, APIs, versions with contracts,
-- policy sets and their attachments, deprecation notices, notifications and
-- service accounts for the JSON API.

CREATE TABLE teams (
    id            bigserial   PRIMARY KEY,
    slug          text        NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
    name          text        NOT NULL CHECK (name <> ''),
    description   text        NOT NULL DEFAULT '',
    contact_email text        NOT NULL DEFAULT '',
    contact_chat  text        NOT NULL DEFAULT '',
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE systems (
    id            bigserial   PRIMARY KEY,
    slug          text        NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
    name          text        NOT NULL CHECK (name <> ''),
    kind          text        NOT NULL CHECK (kind IN ('erp', 'wms', 'tms', 'commerce', '3pl', 'edi-network', 'other')),
    description   text        NOT NULL DEFAULT '',
    owner_team_id bigint      REFERENCES teams(id) ON DELETE RESTRICT,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE apis (
    id            bigserial   PRIMARY KEY,
    slug          text        NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
    name          text        NOT NULL CHECK (name <> ''),
    kind          text        NOT NULL CHECK (kind IN ('system', 'process', 'experience', 'event')),
    domain        text        NOT NULL CHECK (domain ~ '^[a-z][a-z-]{0,31}$'),
    owner_team_id bigint      REFERENCES teams(id) ON DELETE RESTRICT,
    system_id     bigint      REFERENCES systems(id) ON DELETE RESTRICT,
    description   text        NOT NULL DEFAULT '',
    tags          jsonb       NOT NULL DEFAULT '[]',
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX apis_owner_team_idx ON apis (owner_team_id);
CREATE INDEX apis_system_idx ON apis (system_id);
CREATE INDEX apis_search_idx ON apis USING gin (to_tsvector('simple', name || ' ' || slug || ' ' || description));
CREATE INDEX apis_name_lower_idx ON apis (lower(name) text_pattern_ops);

CREATE TABLE api_versions (
    id                   bigserial   PRIMARY KEY,
    api_id               bigint      NOT NULL REFERENCES apis(id) ON DELETE CASCADE,
    version              text        NOT NULL,
    major                int         NOT NULL,
    minor                int         NOT NULL,
    patch                int         NOT NULL,
    lifecycle            text        NOT NULL DEFAULT 'draft' CHECK (lifecycle IN ('draft', 'published', 'deprecated', 'retired')),
    schema               text        NOT NULL DEFAULT '',
    openapi              text        NOT NULL DEFAULT '',
    asyncapi             text        NOT NULL DEFAULT '',
    changelog            text        NOT NULL DEFAULT '',
    released_at          timestamptz,
    deprecated_at        timestamptz,
    sunset_at            timestamptz,
    successor_version_id bigint      REFERENCES api_versions(id) ON DELETE SET NULL,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT api_versions_api_version_key UNIQUE (api_id, version),
    CONSTRAINT api_versions_sunset_after_deprecation CHECK (sunset_at IS NULL OR deprecated_at IS NULL OR sunset_at >= deprecated_at)
);
CREATE INDEX api_versions_api_idx ON api_versions (api_id, major DESC, minor DESC, patch DESC);
CREATE INDEX api_versions_sunset_idx ON api_versions (sunset_at) WHERE sunset_at IS NOT NULL;
CREATE INDEX api_versions_lifecycle_idx ON api_versions (lifecycle);

-- Named, versioned policy sets. settings holds the typed policy document.
CREATE TABLE policies (
    id          bigserial   PRIMARY KEY,
    name        text        NOT NULL CHECK (name ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
    version     int         NOT NULL CHECK (version > 0),
    description text        NOT NULL DEFAULT '',
    settings    jsonb       NOT NULL DEFAULT '{}',
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT policies_name_version_key UNIQUE (name, version)
);

-- Policy sets attached to an API version; position orders precedence
-- (a later attachment overrides an earlier one field by field).
CREATE TABLE policy_attachments (
    api_version_id bigint      NOT NULL REFERENCES api_versions(id) ON DELETE CASCADE,
    policy_id      bigint      NOT NULL REFERENCES policies(id) ON DELETE RESTRICT,
    position       int         NOT NULL DEFAULT 0,
    created_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (api_version_id, policy_id)
);
CREATE INDEX policy_attachments_policy_idx ON policy_attachments (policy_id);

-- One row per (version, offset, sunset date): a notice is recorded once.
CREATE TABLE deprecation_notices (
    id             bigserial   PRIMARY KEY,
    api_version_id bigint      NOT NULL REFERENCES api_versions(id) ON DELETE CASCADE,
    offset_days    int         NOT NULL,
    sunset_at      timestamptz NOT NULL,
    message        text        NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT deprecation_notices_once UNIQUE (api_version_id, offset_days, sunset_at)
);

-- Delivery of a notice to one webhook URL; retried by asynq until delivered.
CREATE TABLE notice_deliveries (
    id           bigserial   PRIMARY KEY,
    notice_id    bigint      NOT NULL REFERENCES deprecation_notices(id) ON DELETE CASCADE,
    url          text        NOT NULL,
    status       text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts     int         NOT NULL DEFAULT 0,
    last_error   text        NOT NULL DEFAULT '',
    delivered_at timestamptz,
    CONSTRAINT notice_deliveries_once UNIQUE (notice_id, url)
);

-- In-app notifications, newest first.
CREATE TABLE notifications (
    id         bigserial   PRIMARY KEY,
    kind       text        NOT NULL,
    title      text        NOT NULL,
    body       text        NOT NULL DEFAULT '',
    link       text        NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX notifications_created_idx ON notifications (created_at DESC);

-- Machine callers of the JSON API. The token is shown once; only its
-- SHA-256 is kept, with a short prefix to recognise it.
CREATE TABLE service_accounts (
    id           bigserial   PRIMARY KEY,
    name         text        NOT NULL UNIQUE CHECK (name <> ''),
    role         text        NOT NULL CHECK (role IN ('admin', 'integration_manager', 'business_user', 'auditor')),
    token_prefix text        NOT NULL,
    token_hash   bytea       NOT NULL UNIQUE,
    created_by   text        NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at   timestamptz
);

-- +goose Down
DROP TABLE service_accounts;
DROP TABLE notifications;
DROP TABLE notice_deliveries;
DROP TABLE deprecation_notices;
DROP TABLE policy_attachments;
DROP TABLE policies;
DROP TABLE api_versions;
DROP TABLE apis;
DROP TABLE systems;
DROP TABLE teams;
