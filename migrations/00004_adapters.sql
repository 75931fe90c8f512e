-- +goose Up
-- Partner adapters: a format, parse options and a mapping program (cloned
-- from a shipped template) that turn one partner's documents into the
-- canonical documents of a target API version; immutable revisions; sample
-- documents with expected outcomes; conformance runs and their results.

CREATE TABLE adapters (
    id                    bigserial   PRIMARY KEY,
    partner_id            bigint      NOT NULL REFERENCES partners(id) ON DELETE CASCADE,
    name                  text        NOT NULL CHECK (btrim(name) <> '' AND length(name) <= 100),
    -- The internal/mapping template it was cloned from ('' when none).
    template_id           text        NOT NULL DEFAULT '',
    format                text        NOT NULL CHECK (format IN ('x12', 'edifact', 'csv', 'json', 'xml')),
    -- X12 set id ("850") or EDIFACT message type the program maps; '' maps every input.
    doc_type              text        NOT NULL DEFAULT '',
    -- The API version whose JSON Schema contract every output must satisfy.
    -- An API version that an adapter targets cannot be deleted.
    target_api_version_id bigint      NOT NULL REFERENCES api_versions(id) ON DELETE RESTRICT,
    -- The revision the runtime uses; NULL until one is activated.
    active_revision_id    bigint,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT adapters_partner_name_key UNIQUE (partner_id, name)
);
CREATE INDEX adapters_target_idx ON adapters (target_api_version_id);
CREATE INDEX adapters_template_idx ON adapters (template_id) WHERE template_id <> '';

-- Revisions of an adapter's mapping. Only a draft may change; activating one
-- supersedes the previous active revision, so every mapped document can name
-- the revision that mapped it.
CREATE TABLE adapter_revisions (
    id            bigserial   PRIMARY KEY,
    adapter_id    bigint      NOT NULL REFERENCES adapters(id) ON DELETE CASCADE,
    number        int         NOT NULL CHECK (number > 0),
    program       text        NOT NULL,
    tables        jsonb       NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(tables) = 'object'),
    parse_options jsonb       NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(parse_options) = 'object'),
    status        text        NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'active', 'superseded')),
    created_by    text        NOT NULL DEFAULT '',
    created_at    timestamptz NOT NULL DEFAULT now(),
    -- When the mapping (program, tables, parse options) last changed; status
    -- changes leave it alone. A conformance run vouches for a revision only
    -- when it started after this.
    updated_at    timestamptz NOT NULL DEFAULT now(),
    activated_at  timestamptz,
    CONSTRAINT adapter_revisions_number_key UNIQUE (adapter_id, number),
    -- Target of adapters' composite key below: an adapter's active revision is its own.
    CONSTRAINT adapter_revisions_adapter_id_key UNIQUE (adapter_id, id),
    CONSTRAINT adapter_revisions_activated CHECK ((status = 'draft') = (activated_at IS NULL))
);
-- At most one active revision per adapter.
CREATE UNIQUE INDEX adapter_revisions_one_active ON adapter_revisions (adapter_id) WHERE status = 'active';

ALTER TABLE adapters ADD CONSTRAINT adapters_active_revision_fk
    FOREIGN KEY (id, active_revision_id) REFERENCES adapter_revisions (adapter_id, id);

-- +goose StatementBegin
CREATE FUNCTION adapter_revisions_immutable() RETURNS trigger AS $$
BEGIN
    IF OLD.status <> 'draft' AND (NEW.program IS DISTINCT FROM OLD.program
            OR NEW.tables IS DISTINCT FROM OLD.tables
            OR NEW.parse_options IS DISTINCT FROM OLD.parse_options
            OR NEW.number IS DISTINCT FROM OLD.number
            OR NEW.adapter_id IS DISTINCT FROM OLD.adapter_id) THEN
        RAISE EXCEPTION 'adapter revision % is %: its mapping is immutable', OLD.id, OLD.status
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd

-- Defence in depth: the service never edits an activated revision either.
CREATE TRIGGER adapter_revisions_immutable
    BEFORE UPDATE ON adapter_revisions
    FOR EACH ROW EXECUTE FUNCTION adapter_revisions_immutable();

-- Sample documents of an adapter with the outcome they must have.
CREATE TABLE adapter_samples (
    id              bigserial   PRIMARY KEY,
    adapter_id      bigint      NOT NULL REFERENCES adapters(id) ON DELETE CASCADE,
    name            text        NOT NULL CHECK (btrim(name) <> '' AND length(name) <= 200),
    -- The payload exactly as a partner sends it (EDI may carry any byte).
    content         bytea       NOT NULL,
    expect          text        NOT NULL CHECK (expect IN ('accepted', 'rejected')),
    -- accepted: the canonical documents the sample must map to (NULL: any valid output).
    expected_output jsonb       CHECK (expected_output IS NULL OR jsonb_typeof(expected_output) = 'array'),
    -- rejected: substrings every one of which must appear in the errors.
    expected_errors jsonb       CHECK (expected_errors IS NULL OR jsonb_typeof(expected_errors) = 'array'),
    created_at      timestamptz NOT NULL DEFAULT now(),
    -- Moves whenever the sample or its expectation changes: a conformance
    -- run started before it no longer vouches for the adapter.
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT adapter_samples_name_key UNIQUE (adapter_id, name)
);

-- One execution of every sample of an adapter against one revision.
CREATE TABLE conformance_runs (
    id                bigserial   PRIMARY KEY,
    adapter_id        bigint      NOT NULL REFERENCES adapters(id) ON DELETE CASCADE,
    revision_id       bigint      NOT NULL REFERENCES adapter_revisions(id) ON DELETE CASCADE,
    status            text        NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'passed', 'failed', 'error')),
    total             int         NOT NULL DEFAULT 0 CHECK (total >= 0),
    done              int         NOT NULL DEFAULT 0 CHECK (done >= 0 AND done <= total),
    passed            int         NOT NULL DEFAULT 0 CHECK (passed >= 0),
    failed            int         NOT NULL DEFAULT 0 CHECK (failed >= 0),
    -- Why a run ended in error (the program does not compile, no samples...).
    message           text        NOT NULL DEFAULT '',
    requested_by      text        NOT NULL DEFAULT '',
    requested_by_name text        NOT NULL DEFAULT '',
    created_at        timestamptz NOT NULL DEFAULT now(),
    started_at        timestamptz,
    finished_at       timestamptz,
    CONSTRAINT conformance_runs_counts CHECK (passed + failed = done)
);
CREATE INDEX conformance_runs_adapter_idx ON conformance_runs (adapter_id, id DESC);
CREATE INDEX conformance_runs_revision_idx ON conformance_runs (revision_id, id DESC);

-- The outcome of one sample in one run. The sample name is kept so the
-- report still reads after the sample is removed.
CREATE TABLE conformance_results (
    id          bigserial   PRIMARY KEY,
    run_id      bigint      NOT NULL REFERENCES conformance_runs(id) ON DELETE CASCADE,
    sample_id   bigint      REFERENCES adapter_samples(id) ON DELETE SET NULL,
    sample_name text        NOT NULL,
    outcome     text        NOT NULL CHECK (outcome IN ('passed', 'failed')),
    detail      jsonb       NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(detail) = 'object'),
    duration_ms int         NOT NULL DEFAULT 0 CHECK (duration_ms >= 0),
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX conformance_results_sample_key ON conformance_results (run_id, sample_id) WHERE sample_id IS NOT NULL;
CREATE INDEX conformance_results_run_idx ON conformance_results (run_id, outcome, sample_name);

-- +goose Down
DROP TABLE conformance_results;
DROP TABLE conformance_runs;
DROP TABLE adapter_samples;
ALTER TABLE adapters DROP CONSTRAINT adapters_active_revision_fk;
DROP TABLE adapter_revisions;
DROP FUNCTION adapter_revisions_immutable();
DROP TABLE adapters;
