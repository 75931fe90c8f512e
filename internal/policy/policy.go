// Package policy governs how partner traffic to an API version is treated:
// named, versioned policy sets (authentication, rate limit, payload size,
// validation, idempotency, retry, priority, maintenance windows, audit
// level) attached to API versions in a position order, and the effective
// policy that results from built-in defaults, the attached sets and a
// partner-level override, with the source of every value.
//
// Policies are immutable: an edit creates the next version of the same
// name. Attachments point at one version, so existing API versions keep
// the version they were given until someone re-attaches the newer one.
package policy

import (
	"errors"
	"regexp"
	"sort"
	"strings"
	"time"
)

// Policy is one version of a named policy set.
type Policy struct {
	ID          int64     `gorm:"primaryKey" json:"id"`
	Name        string    `json:"name"`
	Version     int       `json:"version"`
	Description string    `json:"description"`
	Settings    Settings  `gorm:"type:jsonb" json:"settings"`
	CreatedAt   time.Time `json:"createdAt"`
}

// TableName binds Policy to the policies table.
func (Policy) TableName() string { return "policies" }

// Label is "standard-auth v2".
func (p Policy) Label() string {
	return Source{Kind: SourcePolicy, Name: p.Name, Version: p.Version}.String()
}

// Attachment is a policy version attached to an API version.
type Attachment struct {
	Policy     Policy
	Position   int // lower applies first; a later attachment overrides an earlier one
	AttachedAt time.Time
	// LatestVersion is the newest version of the policy's name; when it is
	// greater than Policy.Version, a newer version waits to be re-attached.
	LatestVersion int
}

// Outdated reports whether a newer version of the policy exists.
func (a Attachment) Outdated() bool { return a.LatestVersion > a.Policy.Version }

// attachment is a row of policy_attachments.
type attachment struct {
	APIVersionID int64 `gorm:"column:api_version_id;primaryKey"`
	PolicyID     int64 `gorm:"primaryKey"`
	Position     int
	CreatedAt    time.Time
}

func (attachment) TableName() string { return "policy_attachments" }

// nameRe matches the policies.name check constraint.
var nameRe = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

// MaxDescription is the longest description accepted, in bytes.
const MaxDescription = 4000

// Errors.
var (
	ErrNotFound = errors.New("not found")
)

// ValidationError carries a message per invalid field: "name",
// "description", or a settings path such as "rateLimit.burst".
type ValidationError struct{ Fields map[string]string }

func (e *ValidationError) Error() string {
	parts := make([]string, 0, len(e.Fields))
	for k, v := range e.Fields {
		parts = append(parts, k+": "+v)
	}
	sort.Strings(parts)
	return "invalid policy: " + strings.Join(parts, "; ")
}
