-- +goose Up
-- People who log in. Provisioned on first OIDC login (or by seed for the dev login).
CREATE TABLE users (
    id            bigserial PRIMARY KEY,
    issuer        text        NOT NULL,
    subject       text        NOT NULL,
    email         text        NOT NULL DEFAULT '',
    name          text        NOT NULL DEFAULT '',
    role          text        NOT NULL DEFAULT '',
    disabled      boolean     NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_login_at timestamptz,
    CONSTRAINT users_issuer_subject_key UNIQUE (issuer, subject),
    CONSTRAINT users_role_check CHECK (role IN ('', 'admin', 'integration_manager', 'business_user', 'auditor'))
);

-- Server-side sessions. The cookie carries a random token; only its SHA-256 is stored.
CREATE TABLE sessions (
    id_hash       bytea       PRIMARY KEY,
    user_id       bigint      NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role          text        NOT NULL,
    csrf_token    text        NOT NULL,
    id_token      text        NOT NULL DEFAULT '',
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_seen_at  timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL
);
CREATE INDEX sessions_user_id_idx ON sessions (user_id);
CREATE INDEX sessions_expires_at_idx ON sessions (expires_at);

-- OIDC login attempts in flight: state, nonce and PKCE verifier, single use.
CREATE TABLE login_flows (
    state         text        PRIMARY KEY,
    nonce         text        NOT NULL,
    pkce_verifier text        NOT NULL,
    return_to     text        NOT NULL DEFAULT '/',
    created_at    timestamptz NOT NULL DEFAULT now()
);

-- Append-only, hash-chained audit log.
CREATE TABLE audit_events (
    id           bigserial   PRIMARY KEY,
    occurred_at  timestamptz NOT NULL,
    actor        text        NOT NULL,
    actor_name   text        NOT NULL DEFAULT '',
    actor_role   text        NOT NULL DEFAULT '',
    action       text        NOT NULL,
    entity_type  text        NOT NULL,
    entity_id    text        NOT NULL DEFAULT '',
    before       json,
    after        json,
    request_id   text        NOT NULL DEFAULT '',
    client_ip    text        NOT NULL DEFAULT '',
    prev_hash    text        NOT NULL,
    hash         text        NOT NULL
);
CREATE INDEX audit_events_occurred_at_idx ON audit_events (occurred_at DESC);
CREATE INDEX audit_events_entity_idx ON audit_events (entity_type, entity_id, id DESC);
CREATE INDEX audit_events_actor_idx ON audit_events (actor, id DESC);
CREATE INDEX audit_events_action_idx ON audit_events (action, id DESC);

-- +goose StatementBegin
CREATE FUNCTION audit_events_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd

CREATE TRIGGER audit_events_no_update_delete
    BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_events_no_truncate
    BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();

-- +goose Down
DROP TABLE audit_events;
DROP FUNCTION audit_events_append_only();
DROP TABLE login_flows;
DROP TABLE sessions;
DROP TABLE users;
