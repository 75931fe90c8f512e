package policy

import (
	"fmt"
	"strings"
)

// SourceKind says which layer a resolved value came from.
type SourceKind string

// Layers, lowest precedence first.
const (
	SourceDefault  SourceKind = "default"          // Defaults()
	SourcePolicy   SourceKind = "policy"           // an attached policy set
	SourceOverride SourceKind = "partner-override" // the caller's partner-level Settings
)

// Source is where a resolved value came from. Name, Version and PolicyID
// are set for SourcePolicy only.
type Source struct {
	Kind     SourceKind `json:"kind"`
	PolicyID int64      `json:"policyId,omitempty"`
	Name     string     `json:"name,omitempty"`
	Version  int        `json:"version,omitempty"`
}

// String is the source for people: "Built-in default", "standard-auth v2",
// "Partner override".
func (s Source) String() string {
	switch s.Kind {
	case SourceDefault:
		return "Built-in default"
	case SourcePolicy:
		return fmt.Sprintf("%s v%d", s.Name, s.Version)
	case SourceOverride:
		return "Partner override"
	}
	return string(s.Kind)
}

// Resolution is one field of the effective policy: its value, the source
// that set it, and the sources it overrode (lowest precedence first; the
// built-in default is always the first of them when anything overrode it).
type Resolution[T any] struct {
	Value      T        `json:"value"`
	Source     Source   `json:"source"`
	Overridden []Source `json:"overridden,omitempty"`
}

func (f *Resolution[T]) set(v T, src Source) {
	if f.Source.Kind != "" {
		f.Overridden = append(f.Overridden, f.Source)
	}
	f.Value, f.Source = v, src
}

// Resolved is the effective policy of an API version (for one partner,
// when an override is given): every field has a value and a source.
type Resolved struct {
	Authentication     Resolution[Authentication] `json:"authentication"`
	RateLimit          Resolution[RateLimit]      `json:"rateLimit"`
	MaxPayloadBytes    Resolution[int64]          `json:"maxPayloadBytes"`
	ValidationMode     Resolution[ValidationMode] `json:"validationMode"`
	Idempotency        Resolution[Idempotency]    `json:"idempotency"`
	Retry              Resolution[Retry]          `json:"retry"`
	Priority           Resolution[Priority]       `json:"priority"`
	MaintenanceWindows Resolution[[]Window]       `json:"maintenanceWindows"`
	AuditLevel         Resolution[AuditLevel]     `json:"auditLevel"`
}

// Defaults are the built-in settings every field falls back to. Every
// field is set, and the result passes Validate.
func Defaults() Settings {
	maxPayload := int64(5 << 20) // 5 MiB
	return Settings{
		Authentication:     &Authentication{},
		RateLimit:          &RateLimit{Rate: 50, Burst: 100},
		MaxPayloadBytes:    &maxPayload,
		ValidationMode:     ValidationEnforce,
		Idempotency:        &Idempotency{Mode: IdempotencyDerived, RetentionHours: 72},
		Retry:              &Retry{MaxAttempts: 5, Backoff: BackoffExponential, InitialSeconds: 2, MaxSeconds: 300},
		Priority:           PriorityNormal,
		MaintenanceWindows: []Window{},
		AuditLevel:         AuditMetadata,
	}
}

// Effective resolves the policy of an API version. Precedence, lowest
// first: Defaults(), then the attached policies in the order given (their
// position order, as Service.Attached returns them), then override, the
// partner-level settings (nil when there is none).
//
// Each top-level field is resolved on its own: the last layer that sets it
// wins. A sub-document (authentication, rateLimit, idempotency, retry) and
// the maintenanceWindows list are replaced as a whole unit, never merged
// key by key: their parts depend on each other (burst >= rate, maxSeconds
// >= initialSeconds, hmac settings go with the hmac method), so a merge
// could produce a combination nobody wrote and nobody validated, and one
// source per line is what a reader can follow. An empty, non-nil
// maintenanceWindows list is a value ("no windows") and overrides.
//
// Effective does not validate; settings are validated when stored and the
// caller validates an override before storing it.
func Effective(attached []Policy, override *Settings) Resolved {
	var r Resolved
	r.apply(Defaults(), Source{Kind: SourceDefault})
	for _, p := range attached {
		r.apply(p.Settings, Source{Kind: SourcePolicy, PolicyID: p.ID, Name: p.Name, Version: p.Version})
	}
	if override != nil {
		r.apply(*override, Source{Kind: SourceOverride})
	}
	return r
}

func (r *Resolved) apply(s Settings, src Source) {
	s = s.Clone()
	if s.Authentication != nil {
		r.Authentication.set(*s.Authentication, src)
	}
	if s.RateLimit != nil {
		r.RateLimit.set(*s.RateLimit, src)
	}
	if s.MaxPayloadBytes != nil {
		r.MaxPayloadBytes.set(*s.MaxPayloadBytes, src)
	}
	if s.ValidationMode != "" {
		r.ValidationMode.set(s.ValidationMode, src)
	}
	if s.Idempotency != nil {
		r.Idempotency.set(*s.Idempotency, src)
	}
	if s.Retry != nil {
		r.Retry.set(*s.Retry, src)
	}
	if s.Priority != "" {
		r.Priority.set(s.Priority, src)
	}
	if s.MaintenanceWindows != nil {
		r.MaintenanceWindows.set(s.MaintenanceWindows, src)
	}
	if s.AuditLevel != "" {
		r.AuditLevel.set(s.AuditLevel, src)
	}
}

// Settings returns the merged values, every field set. The result shares
// nothing with r.
func (r Resolved) Settings() Settings {
	auth, rl, idem, retry := r.Authentication.Value, r.RateLimit.Value, r.Idempotency.Value, r.Retry.Value
	maxPayload := r.MaxPayloadBytes.Value
	windows := r.MaintenanceWindows.Value
	if windows == nil {
		windows = []Window{}
	}
	return Settings{
		Authentication:     &auth,
		RateLimit:          &rl,
		MaxPayloadBytes:    &maxPayload,
		ValidationMode:     r.ValidationMode.Value,
		Idempotency:        &idem,
		Retry:              &retry,
		Priority:           r.Priority.Value,
		MaintenanceWindows: windows,
		AuditLevel:         r.AuditLevel.Value,
	}.Clone()
}

// ResolvedField is one line of the effective policy for display.
type ResolvedField struct {
	Key        string   // JSON name: "rateLimit"; stable, usable as a data-testid
	Label      string   // "Rate limit"
	Value      string   // "50 req/s, burst 100"
	Source     Source   // where the value came from
	Overridden []Source // what it overrode, lowest precedence first
}

// Fields lists every field in a stable, display-friendly order (the order
// of the Settings document) with a label and a human-readable value.
func (r Resolved) Fields() []ResolvedField {
	line := func(key, label, value string, src Source, over []Source) ResolvedField {
		return ResolvedField{Key: key, Label: label, Value: value, Source: src, Overridden: over}
	}
	return []ResolvedField{
		line("authentication", "Authentication", FormatAuthentication(r.Authentication.Value), r.Authentication.Source, r.Authentication.Overridden),
		line("rateLimit", "Rate limit", FormatRateLimit(r.RateLimit.Value), r.RateLimit.Source, r.RateLimit.Overridden),
		line("maxPayloadBytes", "Maximum payload", FormatBytes(r.MaxPayloadBytes.Value), r.MaxPayloadBytes.Source, r.MaxPayloadBytes.Overridden),
		line("validationMode", "Validation", FormatValidationMode(r.ValidationMode.Value), r.ValidationMode.Source, r.ValidationMode.Overridden),
		line("idempotency", "Idempotency", FormatIdempotency(r.Idempotency.Value), r.Idempotency.Source, r.Idempotency.Overridden),
		line("retry", "Retry", FormatRetry(r.Retry.Value), r.Retry.Source, r.Retry.Overridden),
		line("priority", "Priority", FormatPriority(r.Priority.Value), r.Priority.Source, r.Priority.Overridden),
		line("maintenanceWindows", "Maintenance windows", FormatWindows(r.MaintenanceWindows.Value), r.MaintenanceWindows.Source, r.MaintenanceWindows.Overridden),
		line("auditLevel", "Audit level", FormatAuditLevel(r.AuditLevel.Value), r.AuditLevel.Source, r.AuditLevel.Overridden),
	}
}

// FormatAuthentication: "None", "API key", "API key or HMAC signature
// (X-Signature, sha256)".
func FormatAuthentication(a Authentication) string {
	if len(a.Methods) == 0 {
		return "None"
	}
	parts := make([]string, 0, len(a.Methods))
	for _, m := range a.Methods {
		switch m {
		case AuthAPIKey:
			parts = append(parts, "API key")
		case AuthHMACSignature:
			s := "HMAC signature"
			if a.HMAC != nil {
				s += fmt.Sprintf(" (%s, %s)", a.HMAC.Header, a.HMAC.Algorithm)
			}
			parts = append(parts, s)
		default:
			parts = append(parts, string(m))
		}
	}
	return strings.Join(parts, " or ")
}

// FormatRateLimit: "50 req/s, burst 100".
func FormatRateLimit(r RateLimit) string {
	return fmt.Sprintf("%d req/s, burst %d", r.Rate, r.Burst)
}

// FormatBytes: "5 MiB", "512 KiB", "1.5 MiB (1572864 bytes)", "900 bytes".
func FormatBytes(n int64) string {
	units := []struct {
		name string
		size int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}}
	for _, u := range units {
		if n >= u.size {
			if n%u.size == 0 {
				return fmt.Sprintf("%d %s", n/u.size, u.name)
			}
			return fmt.Sprintf("%.1f %s (%d bytes)", float64(n)/float64(u.size), u.name, n)
		}
	}
	if n == 1 {
		return "1 byte"
	}
	return fmt.Sprintf("%d bytes", n)
}

// FormatValidationMode: "Enforce (reject invalid documents)".
func FormatValidationMode(m ValidationMode) string {
	switch m {
	case ValidationEnforce:
		return "Enforce (reject invalid documents)"
	case ValidationWarn:
		return "Warn (accept and flag invalid documents)"
	}
	return string(m)
}

// FormatIdempotency: "Derived key, kept 72h", "Key required, kept 24h".
func FormatIdempotency(i Idempotency) string {
	mode := string(i.Mode)
	switch i.Mode {
	case IdempotencyDerived:
		mode = "Derived key"
	case IdempotencyKeyRequired:
		mode = "Key required"
	}
	return fmt.Sprintf("%s, kept %dh", mode, i.RetentionHours)
}

// FormatRetry: "5 attempts, exponential 2s–300s", "3 attempts, fixed 30s",
// "1 attempt, no retries".
func FormatRetry(r Retry) string {
	if r.MaxAttempts == 1 {
		return "1 attempt, no retries"
	}
	if r.Backoff == BackoffFixed {
		return fmt.Sprintf("%d attempts, fixed %ds", r.MaxAttempts, r.InitialSeconds)
	}
	return fmt.Sprintf("%d attempts, %s %ds–%ds", r.MaxAttempts, r.Backoff, r.InitialSeconds, r.MaxSeconds)
}

// FormatPriority: "Normal".
func FormatPriority(p Priority) string { return capitalize(string(p)) }

// FormatAuditLevel: "Metadata", "Full (metadata and payloads)", "None".
func FormatAuditLevel(l AuditLevel) string {
	if l == AuditFull {
		return "Full (metadata and payloads)"
	}
	return capitalize(string(l))
}

// FormatWindows: "None", or "ERP backup: Mon–Fri 22:00–02:00
// America/Chicago" joined with "; ".
func FormatWindows(ws []Window) string {
	if len(ws) == 0 {
		return "None"
	}
	parts := make([]string, 0, len(ws))
	for _, w := range ws {
		parts = append(parts, w.Name+": "+w.String())
	}
	return strings.Join(parts, "; ")
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
