// Package partner is the trading-partner register: identity (code, name,
// X12 ISA/GS identifiers, GLN, DUNS), contacts and notes, the onboarding
// status draft -> testing -> certified -> live <-> suspended, partner API
// keys (shown once, stored hashed, rotated with an overlap), partner-level
// policy overrides, the onboarding checklist and the four-eyes go-live
// approval. Every change is audited in the transaction that makes it, under
// entity type "partner" and the partner's code as entity id, so one audit
// filter shows a partner's whole history.
package partner

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Status is where a partner is in onboarding.
type Status string

// Statuses.
const (
	StatusDraft     Status = "draft"
	StatusTesting   Status = "testing"
	StatusCertified Status = "certified"
	StatusLive      Status = "live"
	StatusSuspended Status = "suspended"
)

// Statuses lists every status in onboarding order.
func Statuses() []Status {
	return []Status{StatusDraft, StatusTesting, StatusCertified, StatusLive, StatusSuspended}
}

// OnboardingStatuses lists the statuses of a partner still being
// onboarded: not yet live, and not suspended after going live.
func OnboardingStatuses() []Status {
	return []Status{StatusDraft, StatusTesting, StatusCertified}
}

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	for _, x := range Statuses() {
		if x == s {
			return true
		}
	}
	return false
}

// Label is the status for people.
func (s Status) Label() string {
	switch s {
	case StatusDraft:
		return "Draft"
	case StatusTesting:
		return "Testing"
	case StatusCertified:
		return "Certified"
	case StatusLive:
		return "Live"
	case StatusSuspended:
		return "Suspended"
	}
	return string(s)
}

// Next lists the statuses Transition may move a partner in s to directly.
// Going live (from certified, or back from suspended) is not among them:
// it needs a go-live request approved by a second person.
func (s Status) Next() []Status {
	switch s {
	case StatusDraft:
		return []Status{StatusTesting}
	case StatusTesting:
		return []Status{StatusCertified}
	case StatusLive:
		return []Status{StatusSuspended}
	}
	return nil
}

// CanRequestGoLive reports whether a partner in s may ask to go live:
// certified partners (first go-live) and suspended ones (reinstatement).
func (s Status) CanRequestGoLive() bool { return s == StatusCertified || s == StatusSuspended }

// Partner is one trading partner.
type Partner struct {
	ID           int64  `gorm:"primaryKey"`
	Code         string `gorm:"column:code"`
	Name         string `gorm:"column:name"`
	Status       Status `gorm:"column:status"`
	ISAQualifier string `gorm:"column:isa_qualifier"`
	ISAID        string `gorm:"column:isa_id"` // trimmed; see ISAIDPadded
	GSAppCode    string `gorm:"column:gs_app_code"`
	GLN          string `gorm:"column:gln"`
	DUNS         string `gorm:"column:duns"`
	Notes        string `gorm:"column:notes"`
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// TableName binds Partner to partners.
func (Partner) TableName() string { return "partners" }

// ISAIDPadded is the ISA id as written in ISA06/ISA08: right-padded with
// spaces to 15 characters.
func (p Partner) ISAIDPadded() string {
	if p.ISAID == "" {
		return ""
	}
	return fmt.Sprintf("%-15s", p.ISAID)
}

// ContactRole says what a contact is for.
type ContactRole string

// Contact roles.
const (
	ContactBusiness   ContactRole = "business"
	ContactTechnical  ContactRole = "technical"
	ContactEscalation ContactRole = "escalation"
)

// ContactRoles lists the roles a contact may have.
func ContactRoles() []ContactRole {
	return []ContactRole{ContactBusiness, ContactTechnical, ContactEscalation}
}

// Contact is a person at the partner.
type Contact struct {
	ID        int64       `gorm:"primaryKey"`
	PartnerID int64       `gorm:"column:partner_id"`
	Name      string      `gorm:"column:name"`
	Email     string      `gorm:"column:email"`
	Phone     string      `gorm:"column:phone"`
	Role      ContactRole `gorm:"column:role"`
	CreatedAt time.Time
}

// TableName binds Contact to partner_contacts.
func (Contact) TableName() string { return "partner_contacts" }

// KeyStatus is the state of an API key at a point in time.
type KeyStatus string

// Key statuses.
const (
	KeyActive   KeyStatus = "active"
	KeyExpiring KeyStatus = "expiring" // works, but ends soon: in a rotation overlap or expiring within ExpiringWithin
	KeyExpired  KeyStatus = "expired"
	KeyRevoked  KeyStatus = "revoked"
	KeyRotated  KeyStatus = "rotated" // replaced, and the overlap has ended
)

// ExpiringWithin is how close to its expiry a key is shown as expiring.
const ExpiringWithin = 14 * 24 * time.Hour

// Key is a partner API key. The secret is never stored; Hash is its
// SHA-256 and is never serialized.
type Key struct {
	ID            int64      `gorm:"primaryKey"`
	PartnerID     int64      `gorm:"column:partner_id"`
	Prefix        string     `gorm:"column:prefix"`
	Hash          []byte     `gorm:"column:hash" json:"-"`
	Label         string     `gorm:"column:label"`
	CreatedBy     string     `gorm:"column:created_by"`
	CreatedByName string     `gorm:"column:created_by_name"`
	CreatedAt     time.Time  `gorm:"column:created_at"`
	ExpiresAt     *time.Time `gorm:"column:expires_at"`
	LastUsedAt    *time.Time `gorm:"column:last_used_at"`
	RevokedAt     *time.Time `gorm:"column:revoked_at"`
	ReplacedByID  *int64     `gorm:"column:replaced_by_id"`
	OverlapUntil  *time.Time `gorm:"column:overlap_until"`
	// Status is computed when the key is read (ListKeys, Authenticate).
	Status KeyStatus `gorm:"-"`
}

// TableName binds Key to partner_api_keys.
func (Key) TableName() string { return "partner_api_keys" }

// StatusAt computes the key's status at now.
func (k Key) StatusAt(now time.Time) KeyStatus {
	switch {
	case k.RevokedAt != nil:
		return KeyRevoked
	case k.OverlapUntil != nil && !now.Before(*k.OverlapUntil):
		return KeyRotated
	case k.ExpiresAt != nil && !now.Before(*k.ExpiresAt):
		return KeyExpired
	case k.ReplacedByID != nil:
		return KeyExpiring
	case k.ExpiresAt != nil && k.ExpiresAt.Sub(now) <= ExpiringWithin:
		return KeyExpiring
	}
	return KeyActive
}

// Usable reports whether the key authenticates at now.
func (k Key) Usable(now time.Time) bool {
	st := k.StatusAt(now)
	return st == KeyActive || st == KeyExpiring
}

// PolicyOverride is a partner's settings document for all API versions
// (APIVersionID nil) or for one.
type PolicyOverride struct {
	ID           int64  `gorm:"primaryKey"`
	PartnerID    int64  `gorm:"column:partner_id"`
	APIVersionID *int64 `gorm:"column:api_version_id"`
	Settings     []byte `gorm:"column:settings;type:jsonb"` // a JSON object
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// TableName binds PolicyOverride to partner_policy_overrides.
func (PolicyOverride) TableName() string { return "partner_policy_overrides" }

// Decision is the outcome of a go-live request.
type Decision string

// Decisions.
const (
	DecisionApproved Decision = "approved"
	DecisionRejected Decision = "rejected"
)

// GoLiveRequest asks to make a certified (or suspended) partner live. A
// pending request has no decision.
type GoLiveRequest struct {
	ID              int64     `gorm:"primaryKey"`
	PartnerID       int64     `gorm:"column:partner_id"`
	FromStatus      Status    `gorm:"column:from_status"`
	RequestedBy     string    `gorm:"column:requested_by"` // audit actor id, e.g. "user:42"
	RequestedByName string    `gorm:"column:requested_by_name"`
	RequestedAt     time.Time `gorm:"column:requested_at"`
	DecidedBy       *string   `gorm:"column:decided_by"`
	DecidedByName   *string   `gorm:"column:decided_by_name"`
	DecidedAt       *time.Time
	Decision        *Decision `gorm:"column:decision"`
	Reason          string    `gorm:"column:reason"`
}

// TableName binds GoLiveRequest to go_live_requests.
func (GoLiveRequest) TableName() string { return "go_live_requests" }

// Pending reports whether the request awaits a decision.
func (r GoLiveRequest) Pending() bool { return r.Decision == nil }

// Errors. Service methods wrap them as "partner: <what>: <error>"; test
// with errors.Is. Refusals that carry reasons are *TransitionError;
// invalid input is *ValidationError (errors.As).
var (
	ErrNotFound = errors.New("not found")
	ErrConflict = errors.New("conflicts with the current state")
	// ErrSameApprover refuses a go-live approval by the person who asked for it.
	ErrSameApprover = errors.New("the person who requested go-live cannot approve it; a second person must approve")
	// ErrActorRequired refuses a go-live request or approval without a
	// person behind it (the "system" actor): four eyes need two identified people.
	ErrActorRequired = errors.New("go-live requests and approvals need a signed-in person")
	// ErrInvalidKey is every reason an API key is refused: malformed,
	// unknown, revoked, expired, or replaced and past its overlap.
	ErrInvalidKey = errors.New("invalid API key")
	// ErrSuspended refuses a valid key of a suspended partner.
	ErrSuspended = errors.New("partner is suspended")
)

// ValidationError carries a plain-English message per form field.
type ValidationError struct{ Fields map[string]string }

func (e *ValidationError) Error() string {
	parts := make([]string, 0, len(e.Fields))
	for k, v := range e.Fields {
		parts = append(parts, k+": "+v)
	}
	sort.Strings(parts)
	return "invalid input: " + strings.Join(parts, "; ")
}

// TransitionError explains why a status change or go-live step is
// refused. It matches ErrConflict with errors.Is.
type TransitionError struct {
	From, To Status
	Reasons  []string
}

func (e *TransitionError) Error() string {
	return fmt.Sprintf("cannot move from %s to %s: %s", e.From, e.To, strings.Join(e.Reasons, "; "))
}

// Is makes a TransitionError match ErrConflict.
func (e *TransitionError) Is(target error) bool { return target == ErrConflict }
