// Package catalog is the API catalog: teams that own things, systems behind
// system APIs, APIs, and their versions with contracts and a lifecycle
// draft -> published -> deprecated -> retired.
package catalog

import (
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Team owns APIs and systems.
type Team struct {
	ID           int64 `gorm:"primaryKey"`
	Slug         string
	Name         string
	Description  string
	ContactEmail string
	ContactChat  string
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// System is a thing behind system APIs: an ERP, a WMS, a 3PL network...
type System struct {
	ID          int64 `gorm:"primaryKey"`
	Slug        string
	Name        string
	Kind        string
	Description string
	OwnerTeamID *int64
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// SystemKinds are the kinds a system may be.
func SystemKinds() []string {
	return []string{"erp", "wms", "tms", "commerce", "3pl", "edi-network", "other"}
}

// APIKinds are the kinds an API may be.
func APIKinds() []string { return []string{"system", "process", "experience", "event"} }

// Domains are the business domains offered in forms; others are accepted
// when they match the domain pattern.
func Domains() []string {
	return []string{"order", "inventory", "shipment", "invoice", "product", "customer", "returns", "payment", "partner"}
}

// API is one entry of the catalog.
type API struct {
	ID          int64 `gorm:"primaryKey"`
	Slug        string
	Name        string
	Kind        string
	Domain      string
	OwnerTeamID *int64
	SystemID    *int64
	Description string // Markdown
	Tags        Tags   `gorm:"type:jsonb"`
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Tags is a list of labels stored as a JSON array.
type Tags []string

// Value implements driver.Valuer.
func (t Tags) Value() (driver.Value, error) {
	if t == nil {
		t = Tags{}
	}
	b, err := json.Marshal([]string(t))
	return string(b), err
}

// Scan implements sql.Scanner.
func (t *Tags) Scan(src any) error {
	var b []byte
	switch v := src.(type) {
	case []byte:
		b = v
	case string:
		b = []byte(v)
	case nil:
		*t = Tags{}
		return nil
	default:
		return fmt.Errorf("catalog: cannot scan %T into Tags", src)
	}
	return json.Unmarshal(b, (*[]string)(t))
}

// Lifecycle is the state of a version.
type Lifecycle string

// Lifecycle states.
const (
	Draft      Lifecycle = "draft"
	Published  Lifecycle = "published"
	Deprecated Lifecycle = "deprecated"
	Retired    Lifecycle = "retired"
)

// Live reports whether consumers may still call a version in this state.
func (l Lifecycle) Live() bool { return l == Published || l == Deprecated }

// Version is one semantic version of an API with its contract.
type Version struct {
	ID                 int64 `gorm:"primaryKey"`
	APIID              int64 `gorm:"column:api_id"`
	Version            string
	Major              int
	Minor              int
	Patch              int
	Lifecycle          Lifecycle
	Schema             string // JSON Schema 2020-12 of the payload
	OpenAPI            string `gorm:"column:openapi"`
	AsyncAPI           string `gorm:"column:asyncapi"`
	Changelog          string
	ReleasedAt         *time.Time
	DeprecatedAt       *time.Time
	SunsetAt           *time.Time
	SuccessorVersionID *int64
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

// TableName binds Version to api_versions.
func (Version) TableName() string { return "api_versions" }

// SemVer is a parsed MAJOR.MINOR.PATCH version (no pre-release part).
type SemVer struct{ Major, Minor, Patch int }

var semverRe = regexp.MustCompile(`^(0|[1-9]\d{0,5})\.(0|[1-9]\d{0,5})\.(0|[1-9]\d{0,5})$`)

// ParseSemVer parses "1.2.3".
func ParseSemVer(s string) (SemVer, error) {
	m := semverRe.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return SemVer{}, errors.New("use MAJOR.MINOR.PATCH, for example 1.4.0")
	}
	a, _ := strconv.Atoi(m[1])
	b, _ := strconv.Atoi(m[2])
	c, _ := strconv.Atoi(m[3])
	return SemVer{a, b, c}, nil
}

func (v SemVer) String() string { return fmt.Sprintf("%d.%d.%d", v.Major, v.Minor, v.Patch) }

// Less orders versions.
func (v SemVer) Less(o SemVer) bool {
	if v.Major != o.Major {
		return v.Major < o.Major
	}
	if v.Minor != o.Minor {
		return v.Minor < o.Minor
	}
	return v.Patch < o.Patch
}

// SemVer returns the version's parsed number.
func (v Version) SemVer() SemVer { return SemVer{v.Major, v.Minor, v.Patch} }

var slugRe = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)
var domainRe = regexp.MustCompile(`^[a-z][a-z-]{0,31}$`)

// ValidationError carries a message per form field.
type ValidationError struct{ Fields map[string]string }

func (e *ValidationError) Error() string {
	parts := make([]string, 0, len(e.Fields))
	for k, v := range e.Fields {
		parts = append(parts, k+": "+v)
	}
	return "catalog: invalid input: " + strings.Join(parts, "; ")
}

// Errors.
var (
	ErrNotFound  = errors.New("catalog: not found")
	ErrConflict  = errors.New("catalog: already exists")
	ErrImmutable = errors.New("published version is immutable: contract changes need a new version")
)

// TransitionError explains why a lifecycle change is refused.
type TransitionError struct {
	From, To Lifecycle
	Reasons  []string
}

func (e *TransitionError) Error() string {
	return fmt.Sprintf("catalog: cannot move from %s to %s: %s", e.From, e.To, strings.Join(e.Reasons, "; "))
}
