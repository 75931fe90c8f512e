-- +goose Up
-- Prefix searches on the audit log ("every version of this API":
-- entity_id LIKE 'order-intake@%'; "every partner action": action LIKE
-- 'partner.%') use these. The existing btree indexes serve equality, but a
-- LIKE prefix can only use an index in the C collation or with
-- text_pattern_ops.
CREATE INDEX audit_events_entity_prefix_idx ON audit_events (entity_type, entity_id text_pattern_ops);
CREATE INDEX audit_events_action_prefix_idx ON audit_events (action text_pattern_ops);

-- +goose Down
DROP INDEX audit_events_action_prefix_idx;
DROP INDEX audit_events_entity_prefix_idx;
