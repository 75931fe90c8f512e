package catalogcode_test

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gorm.io/gorm"

	"github.com/crossdock/crossdock/internal/adapter"
	"github.com/crossdock/crossdock/internal/audit"
	"github.com/crossdock/crossdock/internal/catalogcode"
	"github.com/crossdock/crossdock/internal/partner"
)

// withExample is a service whose database holds the canonical contracts
// and the example.
func withExample(t *testing.T) (*catalogcode.Service, *gorm.DB) {
	t.Helper()
	svc, db := newService(t)
	registerCanonical(t, svc)
	onlyActions(t, apply(t, svc, readExample(t), false), catalogcode.Create)
	return svc, db
}

func exportDoc(t *testing.T, svc *catalogcode.Service) catalogcode.Document {
	t.Helper()
	d, err := catalogcode.Parse(export(t, svc, catalogcode.FormatYAML), "")
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// API keys never leave the database: not the token, not its hash, not
// its prefix; and the partner's status is not part of the file.
func TestExportHasNoSecrets(t *testing.T) {
	svc, db := withExample(t)
	ps := partner.NewService(db, nil)
	p, err := ps.ByCode(context.Background(), "ACME-RETAIL")
	if err != nil {
		t.Fatal(err)
	}
	_, tok1, err := ps.IssueKey(cliCtx(), p.ID, "Acme production gateway", nil)
	if err != nil {
		t.Fatal(err)
	}
	var keys []partner.Key
	db.Where("partner_id = ?", p.ID).Find(&keys)
	if _, _, err := ps.RotateKey(cliCtx(), keys[0].ID, 0); err != nil {
		t.Fatal(err)
	}
	keys = nil
	db.Where("partner_id = ?", p.ID).Find(&keys)
	if len(keys) != 2 {
		t.Fatalf("keys: %d", len(keys))
	}
	for _, format := range []string{catalogcode.FormatYAML, catalogcode.FormatJSON} {
		out := string(export(t, svc, format))
		if !strings.Contains(out, "ACME-RETAIL") {
			t.Fatalf("%s export has no partner", format)
		}
		secrets := []string{"cdp_", tok1, "partner_api_keys", "Acme production gateway"}
		for _, k := range keys {
			secrets = append(secrets, k.Prefix, hex.EncodeToString(k.Hash), base64.StdEncoding.EncodeToString(k.Hash), base64.RawURLEncoding.EncodeToString(k.Hash))
		}
		for _, s := range secrets {
			if strings.Contains(out, s) {
				t.Errorf("%s export holds %q", format, s)
			}
		}
	}
	// The export still applies cleanly: keys are not part of the plan.
	onlyActions(t, apply(t, svc, exportDoc(t, svc), false), catalogcode.Unchanged)

	// Status is not applied from a file: a note says so.
	doc := readExample(t)
	doc.Partners[0].Status = "live"
	plan := apply(t, svc, doc, false)
	it := item(t, plan, catalogcode.KindPartner, "ACME-RETAIL")
	if it.Action != catalogcode.Unchanged || len(it.Notes) != 1 || !strings.Contains(it.Notes[0], "status is not applied from a file (the file says live, the partner is draft)") {
		t.Errorf("status in the file: %+v", it)
	}
	if p, _ := ps.ByCode(context.Background(), "ACME-RETAIL"); p.Status != partner.StatusDraft {
		t.Errorf("status: %s", p.Status)
	}
}

// A changed program with active: true becomes revision n+1 and is
// activated; the old revision is superseded, never changed.
func TestAdapterRevisions(t *testing.T) {
	svc, db := withExample(t)
	var a adapter.Adapter
	db.Where("name = ?", "orders").Take(&a)
	revisions := func() []adapter.Revision {
		var rs []adapter.Revision
		db.Where("adapter_id = ?", a.ID).Order("number").Find(&rs)
		return rs
	}
	rs := revisions()
	if len(rs) != 1 || rs[0].Status != adapter.RevisionActive {
		t.Fatalf("after the example: %+v", rs)
	}
	original := rs[0].Program

	doc := readExample(t)
	rev := doc.Partners[0].Adapters[0].Revision
	rev.Program += "# Acme: orders of the Columbus DC.\n"
	dry := apply(t, svc, doc, true)
	plan := apply(t, svc, doc, false)
	if diff := cmp.Diff(actions(dry), actions(plan)); diff != "" {
		t.Errorf("dry run and apply differ:\n%s", diff)
	}
	it := item(t, plan, catalogcode.KindAdapter, "ACME-RETAIL/orders")
	if it.Action != catalogcode.Update || !cmp.Equal(it.Changes, []string{"program"}) || !cmp.Equal(it.Notes, []string{"revision 2 activated; revision 1 superseded"}) {
		t.Errorf("changed program: %+v", it)
	}
	rs = revisions()
	if len(rs) != 2 || rs[0].Status != adapter.RevisionSuperseded || rs[0].Program != original || rs[1].Status != adapter.RevisionActive || rs[1].Program != rev.Program {
		t.Errorf("revisions: %+v", rs)
	}
	db.Take(&a, a.ID)
	if a.ActiveRevisionID == nil || *a.ActiveRevisionID != rs[1].ID {
		t.Errorf("active revision: %v", a.ActiveRevisionID)
	}
	onlyActions(t, apply(t, svc, doc, false), catalogcode.Unchanged)
	if got := exportDoc(t, svc).Partners[0].Adapters[0].Revision; got.Program != rev.Program || !got.Active {
		t.Errorf("export: %+v", got)
	}

	// Without active, a change is saved as a draft; the active revision
	// stays, and so does the export.
	draft := readExample(t)
	draft.Partners[0].Adapters[0].Revision.Active = false
	draft.Partners[0].Adapters[0].Revision.Program += "# draft\n"
	it = item(t, apply(t, svc, draft, false), catalogcode.KindAdapter, "ACME-RETAIL/orders")
	if it.Action != catalogcode.Update || !cmp.Equal(it.Notes, []string{"saved as draft revision 3; revision 2 stays active"}) {
		t.Errorf("draft: %+v", it)
	}
	it = item(t, apply(t, svc, draft, false), catalogcode.KindAdapter, "ACME-RETAIL/orders")
	if it.Action != catalogcode.Unchanged || len(it.Notes) > 0 {
		t.Errorf("draft again: %+v", it)
	}
	it = item(t, apply(t, svc, doc, false), catalogcode.KindAdapter, "ACME-RETAIL/orders")
	if it.Action != catalogcode.Unchanged || !cmp.Equal(it.Notes, []string{"draft revision 3 is pending; revision 2 stays active"}) {
		t.Errorf("active content with a pending draft: %+v", it)
	}
	if rs = revisions(); len(rs) != 3 || rs[2].Status != adapter.RevisionDraft || rs[1].Status != adapter.RevisionActive {
		t.Errorf("revisions: %+v", rs)
	}
	if got := exportDoc(t, svc).Partners[0].Adapters[0].Revision; got.Program != rev.Program {
		t.Error("the export is not the active revision")
	}

	// A program that does not compile cannot become active.
	broken := readExample(t)
	broken.Partners[0].Adapters[0].Revision.Program = "{number: .set | seg(\"BEG\")"
	it = item(t, apply(t, svc, broken, false), catalogcode.KindAdapter, "ACME-RETAIL/orders")
	if it.Action != catalogcode.Refused || !strings.Contains(strings.Join(it.Reasons, " "), "revision.program: the program does not compile") {
		t.Errorf("broken program: %+v", it)
	}
	if n := len(revisions()); n != 3 {
		t.Errorf("a refused revision was saved: %d revisions", n)
	}
}

const partnerDoc = base + `
partners:
  - code: globex
    name: Globex
    isa: {qualifier: zz, id: GLOBEX}
    contacts:
      - {name: Hank Scorpio, email: hank@globex.example, role: business}
      - {name: Ops Desk, phone: "+1 555 0100", role: escalation}
    policyOverrides:
      - settings: {rateLimit: {rate: 5, burst: 10}}
      - {api: order-intake@1.0.0, settings: {priority: high}}
    adapters:
      - name: json-orders
        template: json-order
        target: order-intake@1.0.0
        samples:
          - name: one
            expect: accepted
            content: '{"orderNumber": "1"}'
          - name: binary
            expect: rejected
            contentBase64: SVNBKjAwKh0qMDAqfg==
            expectedErrors: [parse]
`

// Partners follow the same plan/apply rules as the catalog: create,
// update, unchanged or refused with reasons; what the file does not name
// is left alone.
func TestPartnerItems(t *testing.T) {
	svc, db := newService(t)
	plan := apply(t, svc, parse(t, partnerDoc), false)
	onlyActions(t, plan, catalogcode.Create)
	want := []string{
		"create partner GLOBEX",
		"create contact GLOBEX/Hank Scorpio",
		"create contact GLOBEX/Ops Desk",
		"create policy-override GLOBEX/all versions",
		"create policy-override GLOBEX/order-intake@1.0.0",
		"create adapter GLOBEX/json-orders",
		"create sample GLOBEX/json-orders/one",
		"create sample GLOBEX/json-orders/binary",
	}
	if got := actions(plan)[5:]; !cmp.Equal(got, want) {
		t.Errorf("partner items:\n%s", cmp.Diff(want, got))
	}
	onlyActions(t, apply(t, svc, parse(t, partnerDoc), false), catalogcode.Unchanged)
	out := string(export(t, svc, catalogcode.FormatYAML))
	for _, w := range []string{"  - name: Hank Scorpio\n", "    contentBase64: SVNBKjAwKh0qMDAqfg==\n", "    content: '{\"orderNumber\": \"1\"}'\n",
		"  policyOverrides:\n  - settings:\n      rateLimit:\n", "  - api: order-intake@1.0.0\n    settings:\n      priority: high\n"} {
		if !strings.Contains(out, w) {
			t.Errorf("export lacks %q:\n%s", w, out)
		}
	}

	// Changes. A contact is replaced (removed, added), an override and a
	// sample's expectation updated; a sample's content and an adapter's
	// template are fixed; what the file leaves out stays.
	db.Exec(`INSERT INTO partner_contacts (partner_id, name, email, role) SELECT id, 'Console Contact', 'c@globex.example', 'technical' FROM partners`)
	changed := strings.NewReplacer(
		"name: Globex\n", "name: Globex Corporation\n    status: certified\n",
		"hank@globex.example", "hank.scorpio@globex.example",
		"{rate: 5, burst: 10}", "{rate: 6, burst: 12}",
		"expect: accepted\n            content", "expect: rejected\n            expectedErrors: [orderDate]\n            content",
		"SVNBKjAwKh0qMDAqfg==", "SVNBKjAxKh0qMDAqfg==",
	).Replace(partnerDoc)
	changed = strings.Replace(changed, "      - {api: order-intake@1.0.0, settings: {priority: high}}\n", "", 1)
	dry := apply(t, svc, parse(t, changed), true)
	plan = apply(t, svc, parse(t, changed), false)
	if diff := cmp.Diff(actions(dry), actions(plan)); diff != "" {
		t.Errorf("dry run and apply differ:\n%s", diff)
	}
	want = []string{
		"update partner GLOBEX",
		"update contact GLOBEX/Hank Scorpio",
		"unchanged contact GLOBEX/Ops Desk",
		"update policy-override GLOBEX/all versions",
		"unchanged adapter GLOBEX/json-orders",
		"update sample GLOBEX/json-orders/one",
		"refused sample GLOBEX/json-orders/binary",
	}
	if got := actions(plan)[5:]; !cmp.Equal(got, want) {
		t.Errorf("changes:\n%s", cmp.Diff(want, got))
	}
	it := item(t, plan, catalogcode.KindPartner, "GLOBEX")
	if !cmp.Equal(it.Changes, []string{"name"}) || len(it.Notes) != 1 || !strings.Contains(it.Notes[0], "the file says certified, the partner is draft") {
		t.Errorf("partner: %+v", it)
	}
	if it := item(t, plan, catalogcode.KindContact, "GLOBEX/Hank Scorpio"); !cmp.Equal(it.Changes, []string{"email"}) {
		t.Errorf("contact: %+v", it)
	}
	if it := item(t, plan, catalogcode.KindSample, "GLOBEX/json-orders/one"); !cmp.Equal(it.Changes, []string{"expect", "expectedErrors"}) {
		t.Errorf("sample: %+v", it)
	}
	if it := item(t, plan, catalogcode.KindSample, "GLOBEX/json-orders/binary"); !strings.Contains(it.Reasons[0], "the content of a sample never changes") {
		t.Errorf("sample content: %+v", it)
	}
	var emails []string
	db.Table("partner_contacts").Order("email").Pluck("email", &emails)
	if !cmp.Equal(emails, []string{"", "c@globex.example", "hank.scorpio@globex.example"}) {
		t.Errorf("contacts: %v", emails)
	}
	var overrides, samples int64
	db.Table("partner_policy_overrides").Count(&overrides)
	db.Table("adapter_samples").Where("name = 'one' AND expect = 'rejected'").Count(&samples)
	if overrides != 2 || samples != 1 {
		t.Errorf("overrides %d (the one left out stays), rejected sample %d", overrides, samples)
	}
	var status string
	db.Table("partners").Pluck("status", &status)
	if status != "draft" {
		t.Errorf("status: %s", status)
	}
	plan = apply(t, svc, parse(t, strings.Replace(changed, "SVNBKjAxKh0qMDAqfg==", "SVNBKjAwKh0qMDAqfg==", 1)), false)
	for _, it := range plan.Items {
		if it.Action != catalogcode.Unchanged {
			t.Errorf("third apply: %s %s %s %v", it.Action, it.Kind, it.Key, it.Reasons)
		}
	}
	plan = apply(t, svc, parse(t, strings.Replace(partnerDoc, "template: json-order", "template: csv-order-lines", 1)), false)
	if it := item(t, plan, catalogcode.KindAdapter, "GLOBEX/json-orders"); it.Action != catalogcode.Refused || !strings.Contains(it.Reasons[0], "the adapter was cloned from json-order; its template cannot change") {
		t.Errorf("template change: %+v", it)
	}
}

func TestPartnerRefusals(t *testing.T) {
	svc, db := newService(t)
	apply(t, svc, parse(t, partnerDoc), false)
	doc := base + `
partners:
  - code: INITECH
    name: Initech
    gln: "0614141000013"
    contacts:
      - {name: Bill Lumbergh, email: bill@initech.example, role: business}
  - code: HOOLI
    name: Hooli
    isa: {qualifier: ZZ, id: GLOBEX}
  - code: UMBRELLA
    name: Umbrella
    policyOverrides:
      - settings: {rateLimit: {rate: 50, burst: 10}}
      - {api: order-intake@9.0.0, settings: {priority: high}}
      - {api: order-intake, settings: {}}
    contacts:
      - {name: Nobody, role: business}
    adapters:
      - name: edi
        template: x12-999
        target: order-intake@1.0.0
        samples:
          - {name: a, expect: accepted, content: "ISA*"}
      - name: unknown-target
        template: json-order
        target: order-intake@2.0.0
      - name: both
        template: json-order
        target: order-intake@1.0.0
        samples:
          - {name: b, expect: maybe, content: x, contentBase64: eA==}
          - {name: c, expect: rejected, content: x, expectedOutput: {a: 1}}
`
	before := counts(t, db)
	dry := apply(t, svc, parse(t, doc), true)
	plan := apply(t, svc, parse(t, doc), false)
	if diff := cmp.Diff(actions(dry), actions(plan)); diff != "" {
		t.Errorf("dry run and apply differ:\n%s", diff)
	}
	want := []string{
		"refused partner INITECH",
		"refused contact INITECH/Bill Lumbergh",
		"refused partner HOOLI",
		"create partner UMBRELLA",
		"refused contact UMBRELLA/Nobody",
		"refused policy-override UMBRELLA/all versions",
		"refused policy-override UMBRELLA/order-intake@9.0.0",
		"refused policy-override UMBRELLA/order-intake",
		"refused adapter UMBRELLA/edi",
		"refused sample UMBRELLA/edi/a",
		"refused adapter UMBRELLA/unknown-target",
		"create adapter UMBRELLA/both",
		"refused sample UMBRELLA/both/b",
		"refused sample UMBRELLA/both/c",
	}
	if got := actions(plan)[5:]; !cmp.Equal(got, want) {
		t.Errorf("plan:\n%s", cmp.Diff(want, got))
	}
	for _, tc := range []struct {
		kind catalogcode.ItemKind
		key  string
		want string
	}{
		{catalogcode.KindPartner, "INITECH", "gln: This GLN's check digit is wrong"},
		{catalogcode.KindContact, "INITECH/Bill Lumbergh", "partner INITECH is not in the catalog (its item is refused)"},
		{catalogcode.KindPartner, "HOOLI", "partner GLOBEX uses ISA ZZ/GLOBEX already"},
		{catalogcode.KindContact, "UMBRELLA/Nobody", "email: give an email address or a phone number"},
		{catalogcode.KindOverride, "UMBRELLA/all versions", "settings.rateLimit.burst: Burst must be at least the rate."},
		{catalogcode.KindOverride, "UMBRELLA/order-intake@9.0.0", "there is no API version order-intake@9.0.0"},
		{catalogcode.KindOverride, "UMBRELLA/order-intake", "write the API version as slug@version"},
		{catalogcode.KindAdapter, "UMBRELLA/edi", `there is no mapping template "x12-999"`},
		{catalogcode.KindSample, "UMBRELLA/edi/a", "adapter UMBRELLA/edi is not in the catalog"},
		{catalogcode.KindAdapter, "UMBRELLA/unknown-target", "there is no API version order-intake@2.0.0"},
		{catalogcode.KindSample, "UMBRELLA/both/b", "not both"},
		{catalogcode.KindSample, "UMBRELLA/both/b", "expect: use accepted or rejected"},
		{catalogcode.KindSample, "UMBRELLA/both/c", "a rejected sample has no expected output"},
	} {
		if got := strings.Join(item(t, plan, tc.kind, tc.key).Reasons, " | "); !strings.Contains(got, tc.want) {
			t.Errorf("%s %s: reasons %q lack %q", tc.kind, tc.key, got, tc.want)
		}
	}
	after := counts(t, db)
	if after["partners"] != before["partners"]+1 || after["adapters"] != before["adapters"]+1 || after["partner_contacts"] != before["partner_contacts"] || after["partner_policy_overrides"] != before["partner_policy_overrides"] {
		t.Errorf("refused items were written or others skipped: before %v after %v", before, after)
	}

	// Partners need partners:manage.
	viewer := audit.WithActor(context.Background(), audit.Actor{ID: "user:9", Name: "Marco", Role: "business_user"})
	plan, err := svc.Apply(viewer, parse(t, strings.NewReplacer("code: globex", "code: NEWCO", "id: GLOBEX", "id: NEWCO").Replace(partnerDoc)), false)
	if err != nil {
		t.Fatal(err)
	}
	if it := item(t, plan, catalogcode.KindPartner, "NEWCO"); it.Action != catalogcode.Refused || !strings.Contains(it.Reasons[0], "does not allow partners:manage") {
		t.Errorf("partner without permission: %+v", it)
	}
}
