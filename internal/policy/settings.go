package policy

import (
	"bytes"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
)

// Settings is the typed policy document stored in policies.settings and
// written in catalog files. Every field is optional: a policy set defines
// only what it governs, and an unset field is left to an earlier policy or
// to the built-in defaults (see Effective).
//
// The JSON names are camelCase and stable; catalog-as-code files use the
// same names. Sub-documents (authentication, rateLimit, idempotency, retry)
// and the maintenanceWindows list are units: when present they must be
// complete, and a later policy replaces them as a whole.
type Settings struct {
	Authentication  *Authentication `json:"authentication,omitempty"`
	RateLimit       *RateLimit      `json:"rateLimit,omitempty"`
	MaxPayloadBytes *int64          `json:"maxPayloadBytes,omitempty"`
	ValidationMode  ValidationMode  `json:"validationMode,omitempty"`
	Idempotency     *Idempotency    `json:"idempotency,omitempty"`
	Retry           *Retry          `json:"retry,omitempty"`
	Priority        Priority        `json:"priority,omitempty"`
	// MaintenanceWindows: nil means "not set by this policy"; an empty,
	// non-nil list means "no maintenance windows" and overrides earlier
	// ones. omitzero keeps that difference through JSON ([] stays []).
	MaintenanceWindows []Window   `json:"maintenanceWindows,omitzero"`
	AuditLevel         AuditLevel `json:"auditLevel,omitempty"`
}

// AuthMethod is a way a partner system proves who it is.
type AuthMethod string

// Authentication methods.
const (
	AuthAPIKey        AuthMethod = "api-key"
	AuthHMACSignature AuthMethod = "hmac-signature"
)

// AuthMethods lists the methods offered in forms.
func AuthMethods() []AuthMethod { return []AuthMethod{AuthAPIKey, AuthHMACSignature} }

// Authentication says which methods a caller may use. An empty Methods list
// means no authentication is required by this policy.
type Authentication struct {
	Methods []AuthMethod `json:"methods,omitempty"`
	// HMAC configures the hmac-signature method; required with it.
	HMAC *HMAC `json:"hmac,omitempty"`
}

// HMAC configures request signing: the header carrying the signature and
// the hash algorithm (only "sha256" for now).
type HMAC struct {
	Header    string `json:"header"`
	Algorithm string `json:"algorithm"`
}

// HMACAlgorithms lists the supported signature algorithms.
func HMACAlgorithms() []string { return []string{"sha256"} }

// RateLimit is a token bucket: Rate requests per second, bursts up to Burst.
type RateLimit struct {
	Rate  int `json:"rate"`
	Burst int `json:"burst"`
}

// ValidationMode says what happens to a document that fails its schema.
type ValidationMode string

// Validation modes.
const (
	ValidationEnforce ValidationMode = "enforce" // reject it
	ValidationWarn    ValidationMode = "warn"    // accept it and flag it
)

// ValidationModes lists the modes offered in forms.
func ValidationModes() []ValidationMode { return []ValidationMode{ValidationEnforce, ValidationWarn} }

// IdempotencyMode says where the idempotency key comes from.
type IdempotencyMode string

// Idempotency modes.
const (
	// IdempotencyKeyRequired: the caller must send an Idempotency-Key header.
	IdempotencyKeyRequired IdempotencyMode = "key-required"
	// IdempotencyDerived: the header when present, else a key derived from
	// the document (for X12 the interchange control number per partner).
	IdempotencyDerived IdempotencyMode = "derived"
)

// IdempotencyModes lists the modes offered in forms.
func IdempotencyModes() []IdempotencyMode {
	return []IdempotencyMode{IdempotencyKeyRequired, IdempotencyDerived}
}

// Idempotency configures duplicate detection and how long keys are kept.
type Idempotency struct {
	Mode           IdempotencyMode `json:"mode"`
	RetentionHours int             `json:"retentionHours"`
}

// Backoff is how the delay between delivery attempts grows.
type Backoff string

// Backoff kinds.
const (
	BackoffExponential Backoff = "exponential"
	BackoffLinear      Backoff = "linear"
	BackoffFixed       Backoff = "fixed"
)

// Backoffs lists the kinds offered in forms.
func Backoffs() []Backoff { return []Backoff{BackoffExponential, BackoffLinear, BackoffFixed} }

// Retry configures delivery retries. MaxAttempts counts the first attempt;
// delays start at InitialSeconds and never exceed MaxSeconds (with fixed
// backoff every delay is InitialSeconds).
type Retry struct {
	MaxAttempts    int     `json:"maxAttempts"`
	Backoff        Backoff `json:"backoff"`
	InitialSeconds int     `json:"initialSeconds"`
	MaxSeconds     int     `json:"maxSeconds"`
}

// Priority orders held work when a target reopens and segments workloads.
type Priority string

// Priorities, most urgent first.
const (
	PriorityCritical Priority = "critical"
	PriorityHigh     Priority = "high"
	PriorityNormal   Priority = "normal"
	PriorityLow      Priority = "low"
)

// Priorities lists the priorities, most urgent first.
func Priorities() []Priority {
	return []Priority{PriorityCritical, PriorityHigh, PriorityNormal, PriorityLow}
}

// Rank is 0 for critical up to 3 for low (lower runs first); an unknown
// priority ranks as normal.
func (p Priority) Rank() int {
	if i := slices.Index(Priorities(), p); i >= 0 {
		return i
	}
	return slices.Index(Priorities(), PriorityNormal)
}

// AuditLevel says how much of each transaction is kept for auditors.
type AuditLevel string

// Audit levels.
const (
	AuditNone     AuditLevel = "none"
	AuditMetadata AuditLevel = "metadata" // who, when, identifiers, outcome
	AuditFull     AuditLevel = "full"     // metadata and payloads
)

// AuditLevels lists the levels offered in forms.
func AuditLevels() []AuditLevel { return []AuditLevel{AuditNone, AuditMetadata, AuditFull} }

// Limits enforced by Validate.
const (
	MaxPayloadLimit      int64 = 1 << 30 // 1 GiB
	MaxRetentionHours          = 24 * 366
	MaxRetryAttempts           = 100
	MaxRetryDelaySeconds       = 7 * 24 * 3600
)

// Validate checks s and returns a plain-English message per invalid field,
// keyed by its JSON path ("rateLimit.burst", "maintenanceWindows[1].start").
// The map is empty when s is valid.
func (s Settings) Validate() map[string]string {
	f := map[string]string{}
	if a := s.Authentication; a != nil {
		validateAuth(*a, f)
	}
	if r := s.RateLimit; r != nil {
		if r.Rate < 1 {
			f["rateLimit.rate"] = "Rate must be at least 1 request per second."
		}
		switch {
		case r.Burst < 1:
			f["rateLimit.burst"] = "Burst must be at least 1 request."
		case r.Burst < r.Rate:
			f["rateLimit.burst"] = "Burst must be at least the rate."
		}
	}
	if p := s.MaxPayloadBytes; p != nil && (*p < 1 || *p > MaxPayloadLimit) {
		f["maxPayloadBytes"] = "Maximum payload size must be between 1 byte and 1 GiB (1073741824 bytes)."
	}
	if s.ValidationMode != "" && !slices.Contains(ValidationModes(), s.ValidationMode) {
		f["validationMode"] = fmt.Sprintf("Validation mode must be enforce or warn, not %q.", s.ValidationMode)
	}
	if i := s.Idempotency; i != nil {
		if !slices.Contains(IdempotencyModes(), i.Mode) {
			f["idempotency.mode"] = "Idempotency mode must be key-required or derived."
		}
		if i.RetentionHours < 1 || i.RetentionHours > MaxRetentionHours {
			f["idempotency.retentionHours"] = fmt.Sprintf("Keep idempotency keys between 1 and %d hours.", MaxRetentionHours)
		}
	}
	if r := s.Retry; r != nil {
		validateRetry(*r, f)
	}
	if s.Priority != "" && !slices.Contains(Priorities(), s.Priority) {
		f["priority"] = fmt.Sprintf("Priority must be critical, high, normal or low, not %q.", s.Priority)
	}
	names := map[string]bool{}
	for i, w := range s.MaintenanceWindows {
		key := fmt.Sprintf("maintenanceWindows[%d]", i)
		w.validate(key, f)
		n := strings.ToLower(strings.TrimSpace(w.Name))
		if n != "" && names[n] {
			f[key+".name"] = "Another maintenance window has this name already."
		}
		names[n] = true
	}
	if s.AuditLevel != "" && !slices.Contains(AuditLevels(), s.AuditLevel) {
		f["auditLevel"] = fmt.Sprintf("Audit level must be none, metadata or full, not %q.", s.AuditLevel)
	}
	return f
}

func validateAuth(a Authentication, f map[string]string) {
	seen := map[AuthMethod]bool{}
	for _, m := range a.Methods {
		switch {
		case !slices.Contains(AuthMethods(), m):
			f["authentication.methods"] = fmt.Sprintf("Unknown authentication method %q: use api-key or hmac-signature.", m)
		case seen[m]:
			f["authentication.methods"] = fmt.Sprintf("The method %s is listed twice.", m)
		}
		seen[m] = true
	}
	if seen[AuthHMACSignature] && a.HMAC == nil {
		f["authentication.hmac"] = "HMAC signatures need a header and an algorithm (hmac: {header: X-Signature, algorithm: sha256})."
	}
	if !seen[AuthHMACSignature] && a.HMAC != nil {
		f["authentication.hmac"] = "HMAC settings are only used with the hmac-signature method; add it or remove them."
	}
	if h := a.HMAC; h != nil {
		if !validHeaderName(h.Header) {
			f["authentication.hmac.header"] = "Name the HTTP header that carries the signature, for example X-Signature."
		}
		if !slices.Contains(HMACAlgorithms(), h.Algorithm) {
			f["authentication.hmac.algorithm"] = "The HMAC algorithm must be sha256."
		}
	}
}

func validHeaderName(h string) bool {
	if h == "" || len(h) > 100 {
		return false
	}
	for _, r := range h {
		// An RFC 9110 token.
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("!#$%&'*+-.^_`|~", r)) {
			return false
		}
	}
	return true
}

func validateRetry(r Retry, f map[string]string) {
	if r.MaxAttempts < 1 || r.MaxAttempts > MaxRetryAttempts {
		f["retry.maxAttempts"] = fmt.Sprintf("Attempts must be between 1 (no retries) and %d.", MaxRetryAttempts)
	}
	if !slices.Contains(Backoffs(), r.Backoff) {
		f["retry.backoff"] = "Backoff must be exponential, linear or fixed."
	}
	if r.InitialSeconds < 1 || r.InitialSeconds > MaxRetryDelaySeconds {
		f["retry.initialSeconds"] = "The first delay must be between 1 second and 7 days."
	}
	switch {
	case r.MaxSeconds > MaxRetryDelaySeconds:
		f["retry.maxSeconds"] = "The longest delay must be at most 7 days (604800 seconds)."
	case r.MaxSeconds < r.InitialSeconds:
		f["retry.maxSeconds"] = "The longest delay must be at least the first delay."
	}
}

// ParseSettings decodes a settings document strictly: unknown fields and
// names in the wrong case (encoding/json alone would accept "ratelimit"
// for rateLimit) are errors, so catalog files fail loudly. It does not
// validate values; call Validate.
func ParseSettings(data []byte) (Settings, error) {
	var s Settings
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return Settings{}, fmt.Errorf("policy: parse settings: %w", err)
	}
	if dec.More() {
		return Settings{}, errors.New("policy: parse settings: unexpected data after the document")
	}
	if err := exactNames(data, reflect.TypeFor[Settings](), ""); err != nil {
		return Settings{}, fmt.Errorf("policy: parse settings: %w", err)
	}
	return s, nil
}

// exactNames checks that every object key in data is spelled exactly as
// the json tag of the field it decodes into.
func exactNames(data json.RawMessage, t reflect.Type, path string) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(data, &obj); err != nil || obj == nil {
			return nil // null, or a type error already reported by Decode
		}
		fields := map[string]reflect.Type{}
		for f := range t.Fields() {
			if name, _, _ := strings.Cut(f.Tag.Get("json"), ","); name != "" && name != "-" {
				fields[name] = f.Type
			}
		}
		for k, v := range obj {
			ft, ok := fields[k]
			if !ok {
				for name := range fields {
					if strings.EqualFold(name, k) {
						return fmt.Errorf("field %q must be spelled %q", path+k, path+name)
					}
				}
				return fmt.Errorf("unknown field %q", path+k)
			}
			if err := exactNames(v, ft, path+k+"."); err != nil {
				return err
			}
		}
	case reflect.Slice:
		var items []json.RawMessage
		if err := json.Unmarshal(data, &items); err != nil {
			return nil
		}
		for i, it := range items {
			if err := exactNames(it, t.Elem(), fmt.Sprintf("%s[%d].", strings.TrimSuffix(path, "."), i)); err != nil {
				return err
			}
		}
	}
	return nil
}

// Value implements driver.Valuer: the document as JSON for the jsonb column.
func (s Settings) Value() (driver.Value, error) {
	b, err := json.Marshal(s)
	if err != nil {
		return nil, fmt.Errorf("policy: encode settings: %w", err)
	}
	return string(b), nil
}

// Scan implements sql.Scanner. Reading is lenient about unknown fields so
// that an older binary can read a document written by a newer one.
func (s *Settings) Scan(src any) error {
	var b []byte
	switch v := src.(type) {
	case []byte:
		b = v
	case string:
		b = []byte(v)
	case nil:
		*s = Settings{}
		return nil
	default:
		return fmt.Errorf("policy: cannot scan %T into Settings", src)
	}
	var out Settings
	if err := json.Unmarshal(b, &out); err != nil {
		return fmt.Errorf("policy: decode settings: %w", err)
	}
	*s = out
	return nil
}

// IsZero reports whether s sets nothing.
func (s Settings) IsZero() bool {
	return s.Authentication == nil && s.RateLimit == nil && s.MaxPayloadBytes == nil &&
		s.ValidationMode == "" && s.Idempotency == nil && s.Retry == nil && s.Priority == "" &&
		s.MaintenanceWindows == nil && s.AuditLevel == ""
}

// Clone returns a deep copy of s that shares no pointers or slices with it.
func (s Settings) Clone() Settings {
	out := s
	out.Authentication = cloneAuth(s.Authentication)
	out.RateLimit = clonePtr(s.RateLimit)
	out.MaxPayloadBytes = clonePtr(s.MaxPayloadBytes)
	out.Idempotency = clonePtr(s.Idempotency)
	out.Retry = clonePtr(s.Retry)
	out.MaintenanceWindows = cloneWindows(s.MaintenanceWindows)
	return out
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

func cloneAuth(a *Authentication) *Authentication {
	if a == nil {
		return nil
	}
	return &Authentication{Methods: slices.Clone(a.Methods), HMAC: clonePtr(a.HMAC)}
}

func cloneWindows(ws []Window) []Window {
	if ws == nil {
		return nil
	}
	out := make([]Window, len(ws))
	for i, w := range ws {
		w.Days = slices.Clone(w.Days)
		out[i] = w
	}
	return out
}
