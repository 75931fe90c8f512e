package web

import (
	"encoding/json"
	"mime"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/crossdock/crossdock/internal/policy"
	"github.com/crossdock/crossdock/views/pages"
)

// The typed policy settings form, shared by policy sets (policies.go) and
// partner overrides (partners_detail.go): internal/policy reads it
// (policy.ParseForm, Form.Settings); here it becomes the view.

// postedValues copies the posted form out of Fiber's buffers, repeated
// fields (a window's days) included.
func postedValues(c *fiber.Ctx) (url.Values, error) {
	out := url.Values{}
	if mt, _, _ := mime.ParseMediaType(string(c.Request().Header.ContentType())); mt == fiber.MIMEMultipartForm {
		mf, err := c.MultipartForm()
		if err != nil {
			return nil, fiber.NewError(fiber.StatusBadRequest, "The form could not be read.")
		}
		for k, vs := range mf.Value {
			for _, v := range vs {
				out.Add(strings.Clone(k), strings.Clone(v))
			}
		}
		return out, nil
	}
	c.Request().PostArgs().VisitAll(func(k, v []byte) {
		out.Add(string(k), string(v)) // string() copies
	})
	return out, nil
}

// settingsOptions are the choices of the settings form, in words.
func settingsOptions() pages.SettingsOptions {
	var o pages.SettingsOptions
	for _, ms := range policy.AuthChoices() {
		label := policy.FormatAuthentication(policy.Authentication{Methods: ms})
		if len(ms) == 0 {
			label = "Nothing: no authentication"
		}
		o.Auth = append(o.Auth, pages.Option{Value: policy.AuthFormValue(ms), Label: label})
	}
	for _, a := range policy.HMACAlgorithms() {
		label := a
		if a == "sha256" {
			label = "SHA-256"
		}
		o.HMACAlgorithms = append(o.HMACAlgorithms, pages.Option{Value: a, Label: label})
	}
	for _, u := range policy.PayloadUnits() {
		o.PayloadUnits = append(o.PayloadUnits, pages.Option{Value: u.Name, Label: u.Name})
	}
	for _, m := range policy.ValidationModes() {
		o.ValidationModes = append(o.ValidationModes, pages.Option{Value: string(m), Label: policy.FormatValidationMode(m)})
	}
	for _, m := range policy.IdempotencyModes() {
		label := string(m)
		switch m {
		case policy.IdempotencyKeyRequired:
			label = "Required (Idempotency-Key header)"
		case policy.IdempotencyDerived:
			label = "Derived from the document"
		}
		o.IdempotencyModes = append(o.IdempotencyModes, pages.Option{Value: string(m), Label: label})
	}
	for _, b := range policy.Backoffs() {
		label := strings.ToUpper(string(b)[:1]) + string(b)[1:]
		if b == policy.BackoffFixed {
			label = "Fixed (every delay is the first delay)"
		}
		o.Backoffs = append(o.Backoffs, pages.Option{Value: string(b), Label: label})
	}
	for _, p := range policy.Priorities() {
		o.Priorities = append(o.Priorities, pages.Option{Value: string(p), Label: policy.FormatPriority(p)})
	}
	for _, l := range policy.AuditLevels() {
		label := policy.FormatAuditLevel(l)
		if l == policy.AuditMetadata {
			label = "Metadata (who, when, identifiers, outcome)"
		}
		o.AuditLevels = append(o.AuditLevels, pages.Option{Value: string(l), Label: label})
	}
	for _, d := range policy.Weekdays() {
		o.Weekdays = append(o.Weekdays, pages.Option{Value: d, Label: strings.ToUpper(d[:1]) + d[1:]})
	}
	o.TimeZones = suggestedTimeZones
	return o
}

// suggestedTimeZones are offered as the time zone of a maintenance window;
// any IANA name is accepted.
var suggestedTimeZones = []string{
	"UTC", "Europe/London", "Europe/Dublin", "Europe/Lisbon", "Europe/Amsterdam", "Europe/Berlin", "Europe/Brussels", "Europe/Paris",
	"Europe/Madrid", "Europe/Rome", "Europe/Zurich", "Europe/Vienna", "Europe/Stockholm", "Europe/Copenhagen", "Europe/Oslo",
	"Europe/Helsinki", "Europe/Warsaw", "Europe/Prague", "Europe/Athens", "Europe/Istanbul",
	"America/New_York", "America/Chicago", "America/Denver", "America/Phoenix", "America/Los_Angeles", "America/Toronto",
	"America/Mexico_City", "America/Sao_Paulo", "Asia/Dubai", "Asia/Kolkata", "Asia/Singapore", "Asia/Shanghai", "Asia/Hong_Kong",
	"Asia/Tokyo", "Asia/Seoul", "Australia/Sydney", "Pacific/Auckland",
}

// settingsView is the view of a settings form: as typed (or as stored),
// with its errors, and an empty maintenance window row to add one.
func settingsView(id string, override bool, f policy.Form, errs map[string]string) pages.SettingsForm {
	v := pages.SettingsValues{
		AuthMethods: f.AuthMethods, HMACHeader: f.HMACHeader, HMACAlgorithm: f.HMACAlgorithm,
		Rate: f.Rate, Burst: f.Burst, MaxPayload: f.MaxPayload, MaxPayloadUnit: f.MaxPayloadUnit,
		ValidationMode: f.ValidationMode, IdempotencyMode: f.IdempotencyMode, RetentionHours: f.RetentionHours,
		RetryMaxAttempts: f.RetryMaxAttempts, RetryBackoff: f.RetryBackoff, RetryInitialSeconds: f.RetryInitialSeconds, RetryMaxSeconds: f.RetryMaxSeconds,
		Priority: f.Priority, AuditLevel: f.AuditLevel, NoWindows: f.NoWindows,
	}
	for _, w := range f.Windows {
		v.Windows = append(v.Windows, pages.WindowValues{Name: w.Name, Days: w.Days, Start: w.Start, End: w.End, TimeZone: w.TimeZone, Remove: w.Remove})
	}
	if n := len(v.Windows); n == 0 || !v.Windows[n-1].Blank() {
		v.Windows = append(v.Windows, pages.WindowValues{})
	}
	if errs == nil {
		errs = map[string]string{}
	}
	return pages.SettingsForm{ID: id, Override: override, Values: v, Errors: errs, Options: settingsOptions(), PayloadInWords: f.PayloadInWords()}
}

// inheritedValues says, per group, what a blank group comes to: the
// resolved value with its source as "Inherited", or, with defaultsOnly,
// the built-in default.
func inheritedValues(r policy.Resolved, defaultsOnly bool) map[string]pages.InheritedValue {
	out := map[string]pages.InheritedValue{}
	for _, f := range r.Fields() {
		if defaultsOnly {
			out[f.Key] = pages.InheritedValue{Label: "Built-in default", Value: f.Value}
			continue
		}
		out[f.Key] = pages.InheritedValue{Label: "Inherited", Value: f.Value, Source: f.Source.String()}
	}
	return out
}

// builtInDefaults is inheritedValues of the built-in defaults.
func builtInDefaults() map[string]pages.InheritedValue {
	return inheritedValues(policy.Effective(nil, nil), true)
}

// settingsJSON is a settings document as people read it.
func settingsJSON(s policy.Settings) string {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return ""
	}
	return string(b)
}
