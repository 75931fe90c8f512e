package scorecard

import (
	"encoding/json"
	"fmt"
	"strings"
)

// facts is what the rules know about one API: one row of factsQuery.
// The gaps are about live (published or deprecated) versions; NoSunset and
// NoSuccessor about deprecated ones.
type facts struct {
	ID               int64
	Slug             string
	Kind             string
	Domain           string
	OwnerSlug        string // "" without an owner team
	OwnerContact     bool   // the owner team has a contact email or chat
	DescriptionChars int    // characters after trimming white space
	Published        int
	Deprecated       int
	NoSchema         gap
	NoChangelog      gap
	NoAuth           gap // the effective authentication of the attached policies requires no method
	NoIdempotency    gap // no attached policy sets idempotency
	NoAsyncAPI       gap
	NoSunset         gap
	NoSuccessor      gap
}

// gap is how many versions lack something, and which.
type gap struct {
	Count    int
	Versions versionList
}

// columns are the scan destinations, in the order factsQuery selects them.
func (f *facts) columns() []any {
	gaps := []*gap{&f.NoSchema, &f.NoChangelog, &f.NoAuth, &f.NoIdempotency, &f.NoAsyncAPI, &f.NoSunset, &f.NoSuccessor}
	cols := []any{&f.ID, &f.Slug, &f.Kind, &f.Domain, &f.OwnerSlug, &f.OwnerContact, &f.DescriptionChars, &f.Published, &f.Deprecated}
	for _, g := range gaps {
		cols = append(cols, &g.Count)
	}
	for _, g := range gaps {
		cols = append(cols, &g.Versions)
	}
	return cols
}

// versionList is a JSON array of version numbers, as jsonb_agg returns it.
type versionList []string

// Scan implements sql.Scanner; NULL is an empty list.
func (l *versionList) Scan(src any) error {
	var b []byte
	switch v := src.(type) {
	case nil:
		*l = nil
		return nil
	case []byte:
		b = v
	case string:
		b = []byte(v)
	default:
		return fmt.Errorf("scorecard: cannot scan %T into a version list", src)
	}
	var vs []string
	if err := json.Unmarshal(b, &vs); err != nil {
		return fmt.Errorf("scorecard: decode version list: %w", err)
	}
	*l = vs
	return nil
}

// blank is true when a text column is empty or only white space. Only
// values of up to 256 bytes are read: octet_length of a longer value comes
// from its TOAST header, while trimming it would decompress every schema
// and AsyncAPI document on every query (seconds instead of milliseconds on
// 30,000 versions). A longer, all-white-space value counts as present.
// A short value that starts with a visible character (code above 32) is
// present without trimming it.
func blank(col string) string {
	return fmt.Sprintf(`(CASE WHEN octet_length(%[1]s) > 256 THEN false WHEN ascii(%[1]s) > 32 THEN false
		ELSE btrim(%[1]s, E' \t\r\n') = '' END)`, col)
}

// factsQuery is the report query "scorecard facts": one row per API with
// the fields of facts, in the order of facts.columns, each missing count
// named <what>_missing. scoped restricts it to the APIs in the named
// parameter @ids (an IN list); otherwise it covers the whole catalog.
//
// Each "missing" count goes with a version list: the rules' SQL conditions
// test the counts, whose aggregate state is one integer, and the lists are
// only built when a card is shown.
//
// It is written as nested subqueries, not CTEs, on purpose: a query that
// selects a few columns from it (Failing for one rule) lets PostgreSQL drop
// the unused aggregates and then the joins only they needed, so the owner
// rule never reads versions and the schema rule never reads policies.
// OFFSET 0 keeps the per-version step a separate plan node: the booleans
// are computed there, and a sort-based aggregation (which the planner
// chose without it, spilling 30,000 rows of compressed contracts to disk)
// only ever sees narrow rows.
//
// Effective authentication follows policy.Effective: attachments apply in
// order of position, attachment time and policy id, and the last one whose
// settings contain an authentication object decides; it requires
// authentication when its methods list is not empty.
//
// The text must not contain '?': GORM reads it as a placeholder, so test
// keys with jsonb_typeof, not with the jsonb ? operator.
func factsQuery(scoped bool) string {
	apiScope, versionScope, attachmentScope := "", "", ""
	if scoped {
		apiScope = `WHERE a.id IN @ids`
		versionScope = `AND v.api_id IN @ids`
		attachmentScope = `AND pa.api_version_id IN (SELECT id FROM api_versions WHERE api_id IN @ids)`
	}
	q := `
SELECT a.id, a.slug, a.kind, a.domain,
       coalesce(t.slug, '') AS owner_slug,
       coalesce(btrim(t.contact_email) <> '' OR btrim(t.contact_chat) <> '', false) AS owner_contact,
       char_length(btrim(a.description, E' \t\r\n')) AS description_chars,
       coalesce(lv.published, 0) AS published,
       coalesce(lv.deprecated, 0) AS deprecated,
       coalesce(lv.schema_missing, 0) AS schema_missing,
       coalesce(lv.changelog_missing, 0) AS changelog_missing,
       coalesce(lv.auth_missing, 0) AS auth_missing,
       coalesce(lv.idempotency_missing, 0) AS idempotency_missing,
       coalesce(lv.asyncapi_missing, 0) AS asyncapi_missing,
       coalesce(lv.sunset_missing, 0) AS sunset_missing,
       coalesce(lv.successor_missing, 0) AS successor_missing,
       lv.no_schema, lv.no_changelog, lv.no_auth, lv.no_idempotency, lv.no_asyncapi, lv.no_sunset, lv.no_successor
FROM apis a
LEFT JOIN teams t ON t.id = a.owner_team_id
LEFT JOIN (
    -- per API: live versions, and which of them lack what (lists are NULL when empty)
    SELECT v.api_id,
           count(*) FILTER (WHERE v.lifecycle = 'published') AS published,
           count(*) FILTER (WHERE v.lifecycle = 'deprecated') AS deprecated,
           {{missing schema}}, {{missing changelog}}, {{missing auth}}, {{missing idempotency}},
           {{missing asyncapi}}, {{missing sunset}}, {{missing successor}}
    FROM (
        -- per live version: what it lacks
        SELECT v.api_id, v.version, v.lifecycle,
               {{blank v.schema}} AS no_schema,
               {{blank v.changelog}} AS no_changelog,
               {{blank v.asyncapi}} AS no_asyncapi,
               auth.required IS NOT TRUE AS no_auth,
               idem.api_version_id IS NULL AS no_idempotency,
               v.lifecycle = 'deprecated' AND v.sunset_at IS NULL AS no_sunset,
               v.lifecycle = 'deprecated' AND v.successor_version_id IS NULL AS no_successor
        FROM api_versions v
        LEFT JOIN (
            -- effective authentication per version: the last attached policy that sets it
            SELECT DISTINCT ON (pa.api_version_id) pa.api_version_id, p.required
            FROM policy_attachments pa
            JOIN (
                -- policies that set authentication; OFFSET 0 reads each document once, not once per attachment
                SELECT id, coalesce(jsonb_array_length(CASE WHEN jsonb_typeof(settings->'authentication'->'methods') = 'array'
                                                            THEN settings->'authentication'->'methods' END) > 0, false) AS required
                FROM policies
                WHERE jsonb_typeof(settings->'authentication') = 'object'
                OFFSET 0
            ) p ON p.id = pa.policy_id
            WHERE TRUE {{attachmentScope}}
            ORDER BY pa.api_version_id, pa.position DESC, pa.created_at DESC, pa.policy_id DESC
        ) auth ON auth.api_version_id = v.id
        LEFT JOIN (
            -- versions with an attached policy that sets idempotency
            SELECT DISTINCT pa.api_version_id
            FROM policy_attachments pa
            WHERE pa.policy_id IN (SELECT id FROM policies WHERE jsonb_typeof(settings->'idempotency') = 'object') {{attachmentScope}}
        ) idem ON idem.api_version_id = v.id
        WHERE v.lifecycle IN ('published', 'deprecated') {{versionScope}}
        OFFSET 0
    ) v
    GROUP BY v.api_id
) lv ON lv.api_id = a.id
{{apiScope}}`
	r := []string{
		"{{blank v.schema}}", blank("v.schema"),
		"{{blank v.changelog}}", blank("v.changelog"),
		"{{blank v.asyncapi}}", blank("v.asyncapi"),
		"{{attachmentScope}}", attachmentScope,
		"{{versionScope}}", versionScope,
		"{{apiScope}}", apiScope,
	}
	for _, what := range []string{"schema", "changelog", "auth", "idempotency", "asyncapi", "sunset", "successor"} {
		r = append(r, "{{missing "+what+"}}", fmt.Sprintf(
			"count(*) FILTER (WHERE v.no_%[1]s) AS %[1]s_missing, jsonb_agg(v.version) FILTER (WHERE v.no_%[1]s) AS no_%[1]s", what))
	}
	return strings.NewReplacer(r...).Replace(q)
}
