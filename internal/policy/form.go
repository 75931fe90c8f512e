package policy

import (
	"fmt"
	"math/big"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Form is the settings form of the console as a person typed it: every
// value is the text of its field, so a form with mistakes comes back
// exactly as typed. The same form edits a policy set and a partner's
// override; in both, a group left blank is not set (not governed by this
// set, or inherited by the partner).
//
// The form's field names are the JSON paths of Settings ("rateLimit.rate",
// "maintenanceWindows[0].start"): the messages of Validate land on the
// field they are about. The Field* constants name them.
type Form struct {
	// AuthMethods is "" (not set), "none", or the methods joined with a
	// comma in AuthMethods order: "api-key", "api-key,hmac-signature".
	AuthMethods   string
	HMACHeader    string // read only with the hmac-signature method
	HMACAlgorithm string

	Rate, Burst string

	MaxPayload     string // a number, in MaxPayloadUnit; may have decimals ("1.5")
	MaxPayloadUnit string // a PayloadUnits name; "" is bytes

	ValidationMode string

	IdempotencyMode string
	RetentionHours  string

	RetryMaxAttempts    string
	RetryBackoff        string
	RetryInitialSeconds string
	RetryMaxSeconds     string // may stay blank with fixed backoff

	Priority   string
	AuditLevel string

	// NoWindows sets an empty list: "no maintenance windows", which
	// overrides the windows of earlier layers.
	NoWindows bool
	Windows   []WindowForm
}

// WindowForm is one row of the maintenance windows table. A row whose
// fields are all blank is ignored, as is a row marked Remove.
type WindowForm struct {
	Name     string
	Days     []string
	Start    string
	End      string
	TimeZone string
	Remove   bool
}

// Blank reports whether nothing was typed in the row.
func (w WindowForm) Blank() bool {
	return strings.TrimSpace(w.Name) == "" && len(w.Days) == 0 && strings.TrimSpace(w.Start) == "" &&
		strings.TrimSpace(w.End) == "" && strings.TrimSpace(w.TimeZone) == ""
}

// Names of the form's fields (and the keys of its errors).
const (
	FieldAuthMethods         = "authentication.methods"
	FieldHMACHeader          = "authentication.hmac.header"
	FieldHMACAlgorithm       = "authentication.hmac.algorithm"
	FieldRate                = "rateLimit.rate"
	FieldBurst               = "rateLimit.burst"
	FieldMaxPayload          = "maxPayloadBytes"
	FieldMaxPayloadUnit      = "maxPayloadBytes.unit"
	FieldValidationMode      = "validationMode"
	FieldIdempotencyMode     = "idempotency.mode"
	FieldRetentionHours      = "idempotency.retentionHours"
	FieldRetryMaxAttempts    = "retry.maxAttempts"
	FieldRetryBackoff        = "retry.backoff"
	FieldRetryInitialSeconds = "retry.initialSeconds"
	FieldRetryMaxSeconds     = "retry.maxSeconds"
	FieldPriority            = "priority"
	FieldAuditLevel          = "auditLevel"
	FieldNoWindows           = "maintenanceWindows.none"
)

// Parts of a maintenance window row; WindowField names the field.
const (
	WindowName     = "name"
	WindowDays     = "days"
	WindowStart    = "start"
	WindowEnd      = "end"
	WindowTimeZone = "timeZone"
	WindowRemove   = "remove"
)

// MaxFormWindows is the most maintenance window rows a form may send.
const MaxFormWindows = 50

// WindowField names a field of row i: "maintenanceWindows[2].start".
func WindowField(i int, part string) string {
	return fmt.Sprintf("maintenanceWindows[%d].%s", i, part)
}

// Groups are the keys of the form's groups, in form order; they are also
// the keys of Resolved.Fields. A message that belongs to a group but to
// none of its fields (rare: the form builds complete sub-documents) is
// keyed by the group.
func Groups() []string {
	return []string{"authentication", "rateLimit", "maxPayloadBytes", "validationMode", "idempotency", "retry", "priority", "auditLevel", "maintenanceWindows"}
}

// AuthChoices are the authentication choices a form offers, in order:
// none, API key, HMAC signature, either. AuthFormValue is the form value
// of each; FormatAuthentication says it in words.
func AuthChoices() [][]AuthMethod {
	return [][]AuthMethod{{}, {AuthAPIKey}, {AuthHMACSignature}, {AuthAPIKey, AuthHMACSignature}}
}

// AuthFormValue is the form value of a list of methods: "none", or the
// methods in AuthMethods order joined with commas.
func AuthFormValue(methods []AuthMethod) string {
	if len(methods) == 0 {
		return "none"
	}
	ms := slices.Clone(methods)
	slices.SortStableFunc(ms, func(a, b AuthMethod) int { return authRank(a) - authRank(b) })
	parts := make([]string, len(ms))
	for i, m := range ms {
		parts[i] = string(m)
	}
	return strings.Join(parts, ",")
}

func authRank(m AuthMethod) int {
	if i := slices.Index(AuthMethods(), m); i >= 0 {
		return i
	}
	return len(AuthMethods())
}

// PayloadUnit is a unit the maximum payload can be written in.
type PayloadUnit struct {
	Name  string // "bytes", "KiB", "MiB", "GiB"
	Bytes int64
}

// PayloadUnits lists the units, smallest first.
func PayloadUnits() []PayloadUnit {
	return []PayloadUnit{{"bytes", 1}, {"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}}
}

// FormFor fills the form from a settings document: what an edit starts
// from. FormFor(s).Settings() gives s back.
func FormFor(s Settings) Form {
	var f Form
	if a := s.Authentication; a != nil {
		f.AuthMethods = AuthFormValue(a.Methods)
		if a.HMAC != nil {
			f.HMACHeader, f.HMACAlgorithm = a.HMAC.Header, a.HMAC.Algorithm
		}
	}
	if r := s.RateLimit; r != nil {
		f.Rate, f.Burst = strconv.Itoa(r.Rate), strconv.Itoa(r.Burst)
	}
	if p := s.MaxPayloadBytes; p != nil {
		f.MaxPayload, f.MaxPayloadUnit = strconv.FormatInt(*p, 10), "bytes"
		units := PayloadUnits()
		for i := len(units) - 1; i > 0; i-- {
			if u := units[i]; *p >= u.Bytes && *p%u.Bytes == 0 {
				f.MaxPayload, f.MaxPayloadUnit = strconv.FormatInt(*p/u.Bytes, 10), u.Name
				break
			}
		}
	}
	f.ValidationMode = string(s.ValidationMode)
	if i := s.Idempotency; i != nil {
		f.IdempotencyMode, f.RetentionHours = string(i.Mode), strconv.Itoa(i.RetentionHours)
	}
	if r := s.Retry; r != nil {
		f.RetryMaxAttempts, f.RetryBackoff = strconv.Itoa(r.MaxAttempts), string(r.Backoff)
		f.RetryInitialSeconds, f.RetryMaxSeconds = strconv.Itoa(r.InitialSeconds), strconv.Itoa(r.MaxSeconds)
	}
	f.Priority, f.AuditLevel = string(s.Priority), string(s.AuditLevel)
	f.NoWindows = s.MaintenanceWindows != nil && len(s.MaintenanceWindows) == 0
	for _, w := range s.MaintenanceWindows {
		f.Windows = append(f.Windows, WindowForm{Name: w.Name, Days: slices.Clone(w.Days), Start: w.Start, End: w.End, TimeZone: w.TimeZone})
	}
	return f
}

// windowFieldRe matches a window row's field name.
var windowFieldRe = regexp.MustCompile(`^maintenanceWindows\[(\d{1,3})\]\.(name|days|start|end|timeZone|remove)$`)

// ParseForm reads the form's fields out of posted values. Rows of the
// maintenance windows table keep their order; at most MaxFormWindows rows
// are read.
func ParseForm(v url.Values) Form {
	get := func(name string) string { return strings.TrimSpace(v.Get(name)) }
	f := Form{
		AuthMethods: get(FieldAuthMethods), HMACHeader: get(FieldHMACHeader), HMACAlgorithm: get(FieldHMACAlgorithm),
		Rate: get(FieldRate), Burst: get(FieldBurst),
		MaxPayload: get(FieldMaxPayload), MaxPayloadUnit: get(FieldMaxPayloadUnit),
		ValidationMode:  get(FieldValidationMode),
		IdempotencyMode: get(FieldIdempotencyMode), RetentionHours: get(FieldRetentionHours),
		RetryMaxAttempts: get(FieldRetryMaxAttempts), RetryBackoff: get(FieldRetryBackoff),
		RetryInitialSeconds: get(FieldRetryInitialSeconds), RetryMaxSeconds: get(FieldRetryMaxSeconds),
		Priority: get(FieldPriority), AuditLevel: get(FieldAuditLevel),
		NoWindows: get(FieldNoWindows) != "",
	}
	var rows []int
	for k := range v {
		if m := windowFieldRe.FindStringSubmatch(k); m != nil {
			i, _ := strconv.Atoi(m[1])
			if !slices.Contains(rows, i) {
				rows = append(rows, i)
			}
		}
	}
	sort.Ints(rows)
	for _, i := range rows[:min(len(rows), MaxFormWindows)] {
		w := WindowForm{
			Name: get(WindowField(i, WindowName)), Start: get(WindowField(i, WindowStart)), End: get(WindowField(i, WindowEnd)),
			TimeZone: get(WindowField(i, WindowTimeZone)), Remove: get(WindowField(i, WindowRemove)) != "",
		}
		for _, d := range v[WindowField(i, WindowDays)] {
			if d = strings.TrimSpace(d); d != "" && !slices.Contains(w.Days, d) {
				w.Days = append(w.Days, d)
			}
		}
		f.Windows = append(f.Windows, w)
	}
	return f
}

// Settings turns the form into a settings document and checks it: a
// message per field in words, keyed by the form's field names (a window's
// messages by its row in the form, not its place in the list). The
// document is usable only when the map is empty.
//
// A group whose fields are all blank is not set. A group filled in part is
// an error on each blank field: authentication, rateLimit, idempotency and
// retry are complete units. With fixed backoff, a blank longest delay is
// the first delay (it is not used).
func (f Form) Settings() (Settings, map[string]string) {
	var s Settings
	errs := map[string]string{}

	switch m := strings.TrimSpace(f.AuthMethods); m {
	case "":
	case "none":
		s.Authentication = &Authentication{}
	default:
		a := &Authentication{}
		for _, part := range strings.Split(m, ",") {
			a.Methods = append(a.Methods, AuthMethod(strings.TrimSpace(part)))
		}
		if slices.Contains(a.Methods, AuthHMACSignature) {
			alg := strings.TrimSpace(f.HMACAlgorithm)
			if alg == "" {
				alg = HMACAlgorithms()[0]
			}
			a.HMAC = &HMAC{Header: strings.TrimSpace(f.HMACHeader), Algorithm: alg}
			if a.HMAC.Header == "" {
				errs[FieldHMACHeader] = "Name the HTTP header that carries the signature, for example X-Signature."
			}
		}
		s.Authentication = a
	}

	if f.Rate != "" || f.Burst != "" {
		rate, ok1 := wholeNumber(f.Rate, FieldRate, "Set the rate too: a rate limit needs a rate and a burst.", "Write the rate as a whole number of requests per second, for example 50.", errs)
		burst, ok2 := wholeNumber(f.Burst, FieldBurst, "Set the burst too: a rate limit needs a rate and a burst.", "Write the burst as a whole number of requests, for example 100.", errs)
		if ok1 && ok2 {
			s.RateLimit = &RateLimit{Rate: rate, Burst: burst}
		}
	}

	if f.MaxPayload != "" {
		if n, msg := payloadBytes(f.MaxPayload, f.MaxPayloadUnit); msg != "" {
			errs[FieldMaxPayload] = msg
		} else {
			s.MaxPayloadBytes = &n
		}
	}

	s.ValidationMode = ValidationMode(strings.TrimSpace(f.ValidationMode))

	if f.IdempotencyMode != "" || f.RetentionHours != "" {
		mode := IdempotencyMode(strings.TrimSpace(f.IdempotencyMode))
		if mode == "" {
			errs[FieldIdempotencyMode] = "Choose where the idempotency key comes from, or clear the retention to leave idempotency unset."
		}
		hours, ok := wholeNumber(f.RetentionHours, FieldRetentionHours, "Say how long keys are kept, in hours (72 is three days).", "Write the retention as a whole number of hours, for example 72.", errs)
		if mode != "" && ok {
			s.Idempotency = &Idempotency{Mode: mode, RetentionHours: hours}
		}
	}

	if f.RetryMaxAttempts != "" || f.RetryBackoff != "" || f.RetryInitialSeconds != "" || f.RetryMaxSeconds != "" {
		const need = "Needed with the other retry settings."
		backoff := Backoff(strings.TrimSpace(f.RetryBackoff))
		if backoff == "" {
			errs[FieldRetryBackoff] = "Choose how the delay between attempts grows."
		}
		attempts, ok1 := wholeNumber(f.RetryMaxAttempts, FieldRetryMaxAttempts, need, "Write the attempts as a whole number, for example 5.", errs)
		initial, ok2 := wholeNumber(f.RetryInitialSeconds, FieldRetryInitialSeconds, need, "Write the first delay as a whole number of seconds, for example 2.", errs)
		maxDelay, ok3 := initial, ok2
		if f.RetryMaxSeconds != "" || backoff != BackoffFixed {
			maxDelay, ok3 = wholeNumber(f.RetryMaxSeconds, FieldRetryMaxSeconds, need, "Write the longest delay as a whole number of seconds, for example 300.", errs)
		}
		if backoff != "" && ok1 && ok2 && ok3 {
			s.Retry = &Retry{MaxAttempts: attempts, Backoff: backoff, InitialSeconds: initial, MaxSeconds: maxDelay}
		}
	}

	s.Priority = Priority(strings.TrimSpace(f.Priority))
	s.AuditLevel = AuditLevel(strings.TrimSpace(f.AuditLevel))

	var rowOf []int // list index -> form row
	for i, w := range f.Windows {
		if w.Remove || w.Blank() {
			continue
		}
		s.MaintenanceWindows = append(s.MaintenanceWindows, Window{
			Name: strings.TrimSpace(w.Name), Days: weekOrder(w.Days), Start: clockText(w.Start), End: clockText(w.End),
			TimeZone: strings.TrimSpace(w.TimeZone),
		})
		rowOf = append(rowOf, i)
	}
	if f.NoWindows {
		if len(s.MaintenanceWindows) > 0 {
			errs[FieldNoWindows] = "Untick \"No maintenance windows\", or remove the windows below."
		}
		s.MaintenanceWindows = []Window{}
	}

	for k, msg := range s.Validate() {
		k = formKey(k, rowOf)
		if _, ok := errs[k]; !ok {
			errs[k] = msg
		}
	}
	return s, errs
}

// wholeNumber parses a non-negative whole number, or records the message
// for a blank field (blank) or for anything else (bad).
func wholeNumber(text, field, blank, bad string, errs map[string]string) (int, bool) {
	text = strings.TrimSpace(text)
	if text == "" {
		errs[field] = blank
		return 0, false
	}
	n, err := strconv.Atoi(text)
	if err != nil || n < 0 || n > 1<<31-1 {
		errs[field] = bad
		return 0, false
	}
	return n, true
}

var decimalRe = regexp.MustCompile(`^[0-9]+(\.[0-9]+)?$`)

// payloadBytes converts "1.5" "MiB" to bytes, or says what is wrong.
func payloadBytes(text, unit string) (int64, string) {
	size := int64(1)
	if unit != "" {
		i := slices.IndexFunc(PayloadUnits(), func(u PayloadUnit) bool { return u.Name == unit })
		if i < 0 {
			return 0, "Choose bytes, KiB, MiB or GiB."
		}
		size = PayloadUnits()[i].Bytes
	}
	text = strings.TrimSpace(text)
	r, ok := new(big.Rat).SetString(text)
	if !decimalRe.MatchString(text) || !ok {
		return 0, "Write the size as a number, for example 5 (MiB) or 1.5."
	}
	r.Mul(r, new(big.Rat).SetInt64(size))
	if r.Cmp(new(big.Rat).SetInt64(MaxPayloadLimit)) > 0 || r.Sign() == 0 {
		return 0, "Maximum payload size must be between 1 byte and 1 GiB (1073741824 bytes)."
	}
	if !r.IsInt() {
		return 0, fmt.Sprintf("%s %s is %s bytes: the size must be a whole number of bytes.", text, unit, r.FloatString(1))
	}
	return r.Num().Int64(), ""
}

// weekOrder sorts known day names Monday first and keeps unknown ones
// (Validate reports them) after them.
func weekOrder(days []string) []string {
	out := slices.Clone(days)
	rank := func(d string) int {
		if i := slices.Index(Weekdays(), d); i >= 0 {
			return i
		}
		return len(Weekdays())
	}
	slices.SortStableFunc(out, func(a, b string) int { return rank(a) - rank(b) })
	return out
}

// clockText trims a time and writes "9:30" as "09:30".
func clockText(s string) string {
	s = strings.TrimSpace(s)
	if len(s) == 4 && s[1] == ':' && s[0] >= '0' && s[0] <= '9' {
		return "0" + s
	}
	return s
}

// windowKeyRe matches a window message of Validate.
var windowKeyRe = regexp.MustCompile(`^maintenanceWindows\[(\d+)\]\.(\w+)$`)

// formKey maps a Validate key to a form field: a window's list index to
// its form row, and a key no field has to its group.
func formKey(k string, rowOf []int) string {
	if m := windowKeyRe.FindStringSubmatch(k); m != nil {
		i, _ := strconv.Atoi(m[1])
		if i < len(rowOf) {
			return WindowField(rowOf[i], m[2])
		}
		return "maintenanceWindows"
	}
	switch k {
	case FieldAuthMethods, FieldHMACHeader, FieldHMACAlgorithm, FieldRate, FieldBurst, FieldMaxPayload,
		FieldValidationMode, FieldIdempotencyMode, FieldRetentionHours, FieldRetryMaxAttempts, FieldRetryBackoff,
		FieldRetryInitialSeconds, FieldRetryMaxSeconds, FieldPriority, FieldAuditLevel:
		return k
	}
	group, _, _ := strings.Cut(k, ".")
	group, _, _ = strings.Cut(group, "[")
	return group
}

// PayloadInWords is the maximum payload as typed, in words ("1.5 MiB
// (1572864 bytes)"), or "" when it is blank or not a valid size.
func (f Form) PayloadInWords() string {
	if strings.TrimSpace(f.MaxPayload) == "" {
		return ""
	}
	n, msg := payloadBytes(f.MaxPayload, f.MaxPayloadUnit)
	if msg != "" {
		return ""
	}
	w := FormatBytes(n)
	if !strings.Contains(w, "bytes") {
		w += fmt.Sprintf(" (%d bytes)", n)
	}
	return w
}
