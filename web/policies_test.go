package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/google/go-cmp/cmp"

	"github.com/crossdock/crossdock/internal/audit"
	"github.com/crossdock/crossdock/internal/auth"
	"github.com/crossdock/crossdock/internal/partner"
	"github.com/crossdock/crossdock/internal/policy"
)

func ptr[T any](v T) *T { return &v }

// formFields collects what a browser would post for a form: its inputs
// (checked boxes only), selects (the selected option, else the first) and
// textareas.
func formFields(form *goquery.Selection) url.Values {
	v := url.Values{}
	form.Find("input[name]").Each(func(_ int, in *goquery.Selection) {
		name, _ := in.Attr("name")
		switch in.AttrOr("type", "text") {
		case "checkbox", "radio":
			if _, on := in.Attr("checked"); on {
				v.Add(name, in.AttrOr("value", "on"))
			}
		case "submit", "button":
		default:
			v.Add(name, in.AttrOr("value", ""))
		}
	})
	form.Find("select[name]").Each(func(_ int, sel *goquery.Selection) {
		opt := sel.Find("option[selected]").First()
		if opt.Length() == 0 {
			opt = sel.Find("option").First()
		}
		v.Add(sel.AttrOr("name", ""), opt.AttrOr("value", ""))
	})
	form.Find("textarea[name]").Each(func(_ int, ta *goquery.Selection) {
		v.Add(ta.AttrOr("name", ""), ta.Text())
	})
	return v
}

// fieldValue is the value a form shows in a field: an input's value or
// the selected option of a select.
func fieldValue(form *goquery.Selection, name string) string {
	if sel := form.Find(`select[name="` + name + `"]`); sel.Length() > 0 {
		return sel.Find("option[selected]").AttrOr("value", "")
	}
	return form.Find(`input[name="`+name+`"]`).AttrOr("value", "")
}

// A policy set is written with the typed form: values in units people
// use, a mistake comes back as typed with its message next to the field,
// what is saved is the settings document, and the API version it is
// attached to resolves to those values.
func TestPolicySetTypedForm(t *testing.T) {
	e := newEnv(t, nil)
	canonicalOrderVersion(t, e)
	im := e.signIn(auth.RoleIntegrationManager)
	svc := policy.NewService(e.db)

	d := partnerDoc(t, im.get("/policies/new"), http.StatusOK, "new form")
	form := d.Find(`form[data-testid="policy-form"]`)
	for _, g := range policy.Groups() {
		if form.Find(`fieldset[data-testid="group-`+g+`"]`).Length() != 1 {
			t.Errorf("no fieldset for %s", g)
		}
	}
	if form.Find("textarea").Length() != 0 {
		t.Error("the policy form still has a textarea")
	}
	if got := partnerText(d, "inherited-rateLimit"); got != "Built-in default: 50 req/s, burst 100" {
		t.Errorf("rate limit when not set: %q", got)
	}
	if got := form.Find(`select[name="priority"] option`).First(); got.AttrOr("value", "x") != "" || got.Text() != "Not set" {
		t.Errorf("priority's blank option is %q %q, want \"Not set\"", got.AttrOr("value", "x"), got.Text())
	}
	if n := form.Find(`[data-testid="window-row"]`).Length(); n != 1 {
		t.Errorf("%d window rows on a new form, want the one empty row", n)
	}

	// Mistakes: each message next to its field, every value as typed, nothing saved.
	bad := url.Values{
		"name": {"Partner Standard"}, "description": {"For retail partners."},
		"rateLimit.rate": {"50"}, "rateLimit.burst": {"10"},
		"maxPayloadBytes": {"0.3"}, "maxPayloadBytes.unit": {"KiB"},
		"idempotency.retentionHours": {"24"},
		"maintenanceWindows[0].name": {"ERP backup"}, "maintenanceWindows[0].days": {"sat", "sun"},
		"maintenanceWindows[0].start": {"01:00"}, "maintenanceWindows[0].end": {"03:00"}, "maintenanceWindows[0].timeZone": {"America/Chicag"},
	}
	d = partnerDoc(t, im.postForm("/policies", bad), http.StatusUnprocessableEntity, "form with mistakes")
	form = d.Find(`form[data-testid="policy-form"]`)
	for field, want := range map[string]string{
		"name":                           "lowercase letters",
		"rateLimit.burst":                "Burst must be at least the rate.",
		"maxPayloadBytes":                "0.3 KiB is 307.2 bytes",
		"idempotency.mode":               "Choose where the idempotency key comes from",
		"maintenanceWindows[0].timeZone": `"America/Chicag" is not a known IANA time zone`,
	} {
		if got := form.Find(`[data-testid="error-` + field + `"]`).Text(); !strings.Contains(got, want) {
			t.Errorf("error of %s: %q, want it to contain %q", field, got, want)
		}
	}
	if n := form.Find(`.error`).Length(); n != 5 {
		t.Errorf("%d messages, want 5: %q", n, squash(form.Find(".error").Text()))
	}
	if got := partnerText(d, "settings-errors"); !strings.Contains(got, "4 fields need attention") {
		t.Errorf("summary of the settings errors %q", got)
	}
	for field, want := range map[string]string{"name": "Partner Standard", "rateLimit.rate": "50", "rateLimit.burst": "10", "maxPayloadBytes": "0.3",
		"maxPayloadBytes.unit": "KiB", "maintenanceWindows[0].timeZone": "America/Chicag", "maintenanceWindows[0].name": "ERP backup"} {
		if got := fieldValue(form, field); got != want {
			t.Errorf("%s shows %q, want %q as typed", field, got, want)
		}
	}
	if got := form.Find(`input[name="maintenanceWindows[0].days"][checked]`).Length(); got != 2 {
		t.Errorf("%d days ticked, want the 2 typed", got)
	}
	if form.Find(`tr[data-testid="window-row"]`).Length() != 2 {
		t.Error("the typed window and an empty row should come back")
	}
	if _, err := svc.Latest(context.Background(), "partner-standard"); err == nil {
		t.Fatal("a form with mistakes was saved")
	}

	// The same form, put right.
	good := url.Values{
		"name": {"partner-standard"}, "description": {"For retail partners."},
		"authentication.methods": {"api-key,hmac-signature"}, "authentication.hmac.header": {"X-Signature"}, "authentication.hmac.algorithm": {"sha256"},
		"rateLimit.rate": {"200"}, "rateLimit.burst": {"400"},
		"maxPayloadBytes": {"1.5"}, "maxPayloadBytes.unit": {"MiB"},
		"validationMode":   {"warn"},
		"idempotency.mode": {"key-required"}, "idempotency.retentionHours": {"24"},
		"retry.maxAttempts": {"3"}, "retry.backoff": {"fixed"}, "retry.initialSeconds": {"30"}, "retry.maxSeconds": {""},
		"priority": {"high"}, "auditLevel": {""},
		"maintenanceWindows[0].name": {"ERP backup"}, "maintenanceWindows[0].days": {"sun", "sat"},
		"maintenanceWindows[0].start": {"1:00"}, "maintenanceWindows[0].end": {"03:00"}, "maintenanceWindows[0].timeZone": {"America/Chicago"},
		"maintenanceWindows[1].name": {""}, "maintenanceWindows[1].start": {""}, "maintenanceWindows[1].end": {""}, "maintenanceWindows[1].timeZone": {""},
	}
	partnerRedirect(t, im.postForm("/policies", good), "/policies/partner-standard", "save")
	p, err := svc.Latest(context.Background(), "partner-standard")
	if err != nil {
		t.Fatal(err)
	}
	want := policy.Settings{
		Authentication:  &policy.Authentication{Methods: []policy.AuthMethod{"api-key", "hmac-signature"}, HMAC: &policy.HMAC{Header: "X-Signature", Algorithm: "sha256"}},
		RateLimit:       &policy.RateLimit{Rate: 200, Burst: 400},
		MaxPayloadBytes: ptr(int64(1572864)),
		ValidationMode:  "warn",
		Idempotency:     &policy.Idempotency{Mode: "key-required", RetentionHours: 24},
		Retry:           &policy.Retry{MaxAttempts: 3, Backoff: "fixed", InitialSeconds: 30, MaxSeconds: 30},
		Priority:        "high",
		MaintenanceWindows: []policy.Window{
			{Name: "ERP backup", TimeZone: "America/Chicago", Days: []string{"sat", "sun"}, Start: "01:00", End: "03:00"},
		},
	}
	if diff := cmp.Diff(want, p.Settings); diff != "" {
		t.Fatalf("stored settings (-want +got):\n%s", diff)
	}
	if p.Version != 1 || p.Description != "For retail partners." {
		t.Errorf("stored v%d %q", p.Version, p.Description)
	}

	// Attached to an API version, the set decides what it sets; the rest stays the built-in default.
	partnerRedirect(t, im.postForm("/policies/partner-standard/attach", url.Values{"target": {"canonical-order@1.0.0"}}), "/policies/partner-standard", "attach")
	d = partnerDoc(t, im.get("/catalog/apis/canonical-order"), http.StatusOK, "API page")
	for key, want := range map[string][2]string{ // value, source
		"rateLimit":          {"200 req/s, burst 400", "partner-standard v1"},
		"maxPayloadBytes":    {"1.5 MiB (1572864 bytes)", "partner-standard v1"},
		"retry":              {"3 attempts, fixed 30s", "partner-standard v1"},
		"maintenanceWindows": {"ERP backup: Sat, Sun 01:00–03:00 America/Chicago", "partner-standard v1"},
		"auditLevel":         {"Metadata", "Built-in default"},
	} {
		cells := d.Find(`[data-testid="policy-` + key + `"] td`)
		value, source := squash(cells.Eq(1).Text()), squash(cells.Eq(2).Text())
		if value != want[0] || !strings.HasPrefix(source, want[1]) {
			t.Errorf("effective %s: %q from %q, want %q from %q", key, value, source, want[0], want[1])
		}
	}

	// A new version starts from the latest, filled in; posted back
	// unchanged it is the same document, so no version is made.
	d = partnerDoc(t, im.get("/policies/new?from=partner-standard"), http.StatusOK, "new version form")
	form = d.Find(`form[data-testid="policy-form"]`)
	for field, want := range map[string]string{"name": "partner-standard", "rateLimit.rate": "200", "maxPayloadBytes": "1536",
		"maxPayloadBytes.unit": "KiB", "retry.maxSeconds": "30", "authentication.methods": "api-key,hmac-signature", "maintenanceWindows[0].start": "01:00"} {
		if got := fieldValue(form, field); got != want {
			t.Errorf("%s starts as %q, want %q", field, got, want)
		}
	}
	if got := partnerText(d, "payload-in-words"); !strings.Contains(got, "= 1.5 MiB (1572864 bytes)") {
		t.Errorf("payload in words %q", got)
	}
	if got := d.Find(`[data-testid="settings-json"] pre`).Text(); !strings.Contains(got, `"maxPayloadBytes": 1572864`) {
		t.Errorf("As JSON: %q", got)
	}
	if got := squash(d.Find(`[data-testid="save-policy"]`).Text()); got != "Save version 2" {
		t.Errorf("save button %q", got)
	}
	partnerRedirect(t, im.postForm("/policies", formFields(form)), "/policies/partner-standard", "post back unchanged")
	if vs, _ := svc.Versions(context.Background(), "partner-standard"); len(vs) != 1 {
		t.Errorf("posting the form back unchanged made %d versions, want 1", len(vs))
	}

	// Version 2 clears the rate limit (back to "not set") and removes the window, ticking no windows instead.
	next := formFields(form)
	next.Set("rateLimit.rate", "")
	next.Set("rateLimit.burst", "")
	next.Set("maintenanceWindows[0].remove", "on")
	next.Set("maintenanceWindows.none", "on")
	partnerRedirect(t, im.postForm("/policies", next), "/policies/partner-standard", "version 2")
	p2, err := svc.Latest(context.Background(), "partner-standard")
	if err != nil {
		t.Fatal(err)
	}
	if p2.Version != 2 || p2.Settings.RateLimit != nil || p2.Settings.MaintenanceWindows == nil || len(p2.Settings.MaintenanceWindows) != 0 {
		t.Errorf("version 2: v%d, rate limit %v, windows %#v", p2.Version, p2.Settings.RateLimit, p2.Settings.MaintenanceWindows)
	}
	if b, _ := json.Marshal(p2.Settings); !strings.Contains(string(b), `"maintenanceWindows":[]`) || strings.Contains(string(b), "rateLimit") {
		t.Errorf("version 2 as JSON: %s", b)
	}
}

// A partner override is written with the same form: blank groups are
// inherited, the value they would inherit is shown, what is saved is the
// settings document, and the effective policy takes the override's values
// with their source.
func TestPartnerPolicyOverrides(t *testing.T) {
	e := newEnv(t, nil)
	v := canonicalOrderVersion(t, e)
	im := e.signIn(auth.RoleIntegrationManager)
	p := seedPartner(t, e, "ACME", "ACME Retail", partner.StatusDraft, false)
	ctx := audit.WithActor(context.Background(), audit.Actor{ID: "user:seed", Name: "Seed Person"})
	pol := policy.NewService(e.db)
	std, err := pol.CreatePolicy(ctx, "standard", "", policy.Settings{RateLimit: &policy.RateLimit{Rate: 20, Burst: 40}, Priority: "low"})
	if err != nil {
		t.Fatal(err)
	}
	if err := pol.Attach(ctx, v.ID, std.ID, 0); err != nil {
		t.Fatal(err)
	}
	parts := partner.NewService(e.db, nil)
	stored := func(versionID *int64) policy.Settings {
		t.Helper()
		raw, err := parts.PolicyOverride(context.Background(), p.ID, versionID)
		if err != nil {
			t.Fatalf("stored override: %v", err)
		}
		s, err := policy.ParseSettings(raw)
		if err != nil {
			t.Fatalf("stored override %s: %v", raw, err)
		}
		return s
	}

	d := partnerDoc(t, im.get("/partners/ACME"), http.StatusOK, "detail")
	form := d.Find(`form[data-testid="override-form"]`)
	if form.Find(`textarea`).Length() != 0 || form.Find(`fieldset[data-testid="group-retry"]`).Length() != 1 {
		t.Fatal("the new override form is not the typed form")
	}
	if got := form.Find(`select[name="validationMode"] option`).First().Text(); got != "Inherited" {
		t.Errorf("validation mode's blank option %q, want Inherited", got)
	}

	// Half a rate limit: the message next to the burst, the rate as typed, the form open.
	d = partnerDoc(t, im.postForm("/partners/ACME/policy-overrides", url.Values{"scope": {"all"}, "rateLimit.rate": {"200"}}), http.StatusUnprocessableEntity, "half a rate limit")
	form = d.Find(`details[data-testid="add-override-disclosure"][open] form[data-testid="override-form"]`)
	if got := form.Find(`[data-testid="error-rateLimit.burst"]`).Text(); !strings.Contains(got, "Set the burst too") {
		t.Errorf("burst error %q", got)
	}
	if got := fieldValue(form, "rateLimit.rate"); got != "200" {
		t.Errorf("rate shows %q, want 200 as typed", got)
	}
	// Nothing at all.
	d = partnerDoc(t, im.postForm("/partners/ACME/policy-overrides", url.Values{"scope": {"all"}, "maintenanceWindows[0].name": {" "}}), http.StatusUnprocessableEntity, "nothing set")
	if got := partnerText(d, "error-settings"); !strings.Contains(got, "Set at least one value to override") {
		t.Errorf("empty override %q", got)
	}

	// All versions: a rate limit, a larger payload and a window.
	partnerRedirect(t, im.postForm("/partners/ACME/policy-overrides", url.Values{"scope": {"all"},
		"rateLimit.rate": {"200"}, "rateLimit.burst": {"400"}, "maxPayloadBytes": {"20"}, "maxPayloadBytes.unit": {"MiB"}, "priority": {""},
		"maintenanceWindows[0].name": {"ACME ERP freeze"}, "maintenanceWindows[0].days": {"sun"}, "maintenanceWindows[0].start": {"01:00"},
		"maintenanceWindows[0].end": {"05:00"}, "maintenanceWindows[0].timeZone": {"Europe/Amsterdam"},
		"maintenanceWindows[1].name": {""}}), "/partners/ACME?flash=override-saved", "save override")
	all := stored(nil)
	want := policy.Settings{RateLimit: &policy.RateLimit{Rate: 200, Burst: 400}, MaxPayloadBytes: ptr(int64(20 << 20)),
		MaintenanceWindows: []policy.Window{{Name: "ACME ERP freeze", TimeZone: "Europe/Amsterdam", Days: []string{"sun"}, Start: "01:00", End: "05:00"}}}
	if diff := cmp.Diff(want, all); diff != "" {
		t.Fatalf("stored override (-want +got):\n%s", diff)
	}
	r, err := pol.EffectiveFor(context.Background(), v.ID, &all)
	if err != nil {
		t.Fatal(err)
	}
	if r.RateLimit.Value != (policy.RateLimit{Rate: 200, Burst: 400}) || r.RateLimit.Source.Kind != policy.SourceOverride ||
		len(r.RateLimit.Overridden) != 2 || r.RateLimit.Overridden[1].Name != "standard" {
		t.Errorf("effective rate limit %+v", r.RateLimit)
	}
	if r.Priority.Value != "low" || r.Priority.Source.Name != "standard" {
		t.Errorf("priority is not inherited from the attached set: %+v", r.Priority)
	}
	if r.ValidationMode.Source.Kind != policy.SourceDefault {
		t.Errorf("validation mode should stay the built-in default: %+v", r.ValidationMode)
	}

	d = partnerDoc(t, im.get("/partners/ACME"), http.StatusOK, "detail with an override")
	ov := d.Find(`[data-testid="override"][data-scope="all"]`)
	if got := squash(ov.Find(`[data-testid="override-rateLimit"]`).Text()); got != "200 req/s, burst 400" {
		t.Errorf("in words: %q", got)
	}
	if got := squash(ov.Find(`[data-testid="override-maintenanceWindows"]`).Text()); got != "ACME ERP freeze: Sun 01:00–05:00 Europe/Amsterdam" {
		t.Errorf("windows in words: %q", got)
	}
	if _, open := ov.Find(`details.override-edit`).Attr("open"); open {
		t.Error("the edit form of a stored override is open without errors")
	}
	edit := ov.Find(`details.override-edit form`)
	if fieldValue(edit, "rateLimit.rate") != "200" || fieldValue(edit, "rateLimit.burst") != "400" || fieldValue(edit, "maxPayloadBytes") != "20" || fieldValue(edit, "maxPayloadBytes.unit") != "MiB" {
		t.Errorf("edit form starts with rate %q, burst %q, payload %q %q", fieldValue(edit, "rateLimit.rate"), fieldValue(edit, "rateLimit.burst"),
			fieldValue(edit, "maxPayloadBytes"), fieldValue(edit, "maxPayloadBytes.unit"))
	}
	if got := squash(ov.Find(`[data-testid="inherited-priority"]`).Text()); got != "Built-in default: Normal" {
		t.Errorf("the all-versions form says priority would be %q", got)
	}
	if d.Find(`#override-scope option[value="all"]`).Length() != 0 || d.Find(`#override-scope option[value="`+idStr(v.ID)+`"][selected]`).Length() != 1 {
		t.Errorf("the new override's scopes: %q; want the version only, as all versions have an override", squash(d.Find(`#override-scope`).Text()))
	}
	if got := ov.Find(`[data-testid="override-json"] pre`).Text(); !strings.Contains(got, `"maxPayloadBytes": 20971520`) {
		t.Errorf("As JSON: %q", got)
	}
	// Posted back unchanged, the stored document stays the same.
	partnerRedirect(t, im.postForm("/partners/ACME/policy-overrides", formFields(edit)), "/partners/ACME?flash=override-saved", "post back")
	if diff := cmp.Diff(want, stored(nil)); diff != "" {
		t.Errorf("after posting the form back (-want +got):\n%s", diff)
	}

	// Editing it with a mistake: the message in its own (open) form, by the window's row.
	bad := formFields(edit)
	bad.Set("maintenanceWindows[0].timeZone", "Europe/Amsterdm")
	d = partnerDoc(t, im.postForm("/partners/ACME/policy-overrides", bad), http.StatusUnprocessableEntity, "bad edit")
	ov = d.Find(`[data-testid="override"][data-scope="all"]`)
	if got := ov.Find(`details.override-edit[open] [data-testid="error-maintenanceWindows[0].timeZone"]`).Text(); !strings.Contains(got, "not a known IANA time zone") {
		t.Errorf("the edit's problem is not in the override's form: %q", squash(ov.Text()))
	}
	if _, open := d.Find(`details[data-testid="add-override-disclosure"]`).Attr("open"); open {
		t.Error("the add form opened for an edit's error")
	}
	if diff := cmp.Diff(want, stored(nil)); diff != "" {
		t.Errorf("a refused edit changed the override (-want +got):\n%s", diff)
	}

	// Removing the window with its checkbox: the override no longer sets windows.
	gone := formFields(edit)
	gone.Set("maintenanceWindows[0].remove", "on")
	partnerRedirect(t, im.postForm("/partners/ACME/policy-overrides", gone), "/partners/ACME?flash=override-saved", "remove window")
	if got := stored(nil); got.MaintenanceWindows != nil || got.RateLimit == nil {
		t.Errorf("after removing the window: %+v", got)
	}

	// One version: its form says what each group inherits from that version's policies.
	scope := idStr(v.ID)
	partnerRedirect(t, im.postForm("/partners/ACME/policy-overrides", url.Values{"scope": {scope}, "priority": {"critical"}}), "/partners/ACME?flash=override-saved", "version override")
	if diff := cmp.Diff(policy.Settings{Priority: "critical"}, stored(&v.ID)); diff != "" {
		t.Errorf("version override (-want +got):\n%s", diff)
	}
	d = partnerDoc(t, im.get("/partners/ACME"), http.StatusOK, "detail with two overrides")
	ov = d.Find(`[data-testid="override"][data-scope="` + scope + `"]`)
	if got := squash(ov.Find(`[data-testid="inherited-rateLimit"]`).Text()); got != "Inherited: 20 req/s, burst 40 · standard v1" {
		t.Errorf("inherited rate limit %q", got)
	}
	if got := squash(ov.Find(`[data-testid="override-priority"]`).Text()); got != "Critical instead of Low (standard v1)" {
		t.Errorf("in words %q", got)
	}

	partnerRedirect(t, im.postForm("/partners/ACME/policy-overrides/remove?scope=all", nil), "/partners/ACME?flash=override-removed", "remove override")
	partnerDoc(t, im.postForm("/partners/ACME/policy-overrides/remove?scope=all", nil), http.StatusNotFound, "remove again")
	partnerDoc(t, im.postForm("/partners/ACME/policy-overrides", url.Values{"scope": {"999999"}, "priority": {"high"}}), http.StatusUnprocessableEntity, "unknown version")
}
