// Package scorecard grades every API of the catalog against governance
// rules: an owner people can reach, contracts and changelogs on live
// versions, authentication and (for order intake) idempotency policies,
// a deprecation plan, AsyncAPI documents for event streams.
//
// Facts about each API are computed in PostgreSQL with one set-based query
// (see facts.go); each rule then decides from those facts in one place, the
// rule's entry in checks(). The same entry carries the SQL condition that
// selects failing APIs, so the catalog filter "failing rule" and the summary
// are answered by the database without loading every API.
package scorecard

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/crossdock/crossdock/internal/catalog"
)

// Severity says how much a failed rule weighs in the score.
type Severity string

// Severities, most severe first.
const (
	Critical Severity = "critical"
	High     Severity = "high"
	Medium   Severity = "medium"
	Low      Severity = "low"
)

// Weight is the severity's share in the score: critical 8, high 4,
// medium 2, low 1; an unknown severity weighs nothing.
func (s Severity) Weight() int {
	switch s {
	case Critical:
		return 8
	case High:
		return 4
	case Medium:
		return 2
	case Low:
		return 1
	}
	return 0
}

// Rule is one governance rule. ID is stable: it appears in URLs.
type Rule struct {
	ID, Title   string
	Severity    Severity
	Explanation string // plain words: why it matters and how to fix it
}

// Result is one rule evaluated for one API. Passed means something only
// when Applicable is true; a rule that does not apply is neither passed nor
// failed and does not count in the score.
type Result struct {
	RuleID     string
	Passed     bool
	Applicable bool
	Detail     string // for people: "1.0.0 and 1.1.0 have no changelog"
}

// Failed reports whether the rule applies and is not met.
func (r Result) Failed() bool { return r.Applicable && !r.Passed }

// Card is the scorecard of one API.
type Card struct {
	APISlug string
	// Score is the severity-weighted share of the applicable rules that
	// pass, 0 to 100, rounded down: it is 100 only when every applicable
	// rule passes.
	Score   int
	Results []Result // one per rule, in Rules() order
	Failing []Rule   // the failed rules, most severe first, then in Rules() order
}

// RuleSummary is how many APIs fail a rule.
type RuleSummary struct {
	Rule
	Failing int
}

// Rule ids.
const (
	RuleOwnerContact       = "owner-contact"
	RuleDescription        = "description"
	RulePublishedSchema    = "published-schema"
	RulePublishedChangelog = "published-changelog"
	RuleAuthPolicy         = "auth-policy"
	RuleOrderIdempotency   = "order-idempotency"
	RuleDeprecationPlan    = "deprecation-plan"
	RuleEventAsyncAPI      = "event-asyncapi"
	RuleHasLiveVersion     = "has-live-version"
)

// MinDescription is the shortest description, in characters after
// trimming white space, that passes the description rule.
const MinDescription = 40

// check is a rule with its two equivalent forms: evaluate decides for one
// API in Go and explains the outcome; failing is a SQL condition over the
// columns of factsQuery (alias f) that holds exactly for the APIs
// evaluate fails. Keep both in step; TestFailingMatchesCards checks them
// against each other.
type check struct {
	Rule
	failing  string
	evaluate func(f facts) Result // RuleID is filled in by the caller
}

// Rules returns the rules in their stable display order.
func Rules() []Rule {
	cs := checks()
	out := make([]Rule, len(cs))
	for i, c := range cs {
		out[i] = c.Rule
	}
	return out
}

func checks() []check {
	return []check{
		{
			Rule: Rule{ID: RuleOwnerContact, Title: "Owner team with a contact", Severity: High,
				Explanation: "When a partner integration breaks, or a consumer wants to know whether a change is safe, " +
					"people must know which team answers for the API and how to reach it. " +
					"Fix: set the API's owner team, and give that team a contact email or chat channel."},
			failing: `NOT f.owner_contact`,
			evaluate: func(f facts) Result {
				switch {
				case f.OwnerSlug == "":
					return fail("no owner team")
				case !f.OwnerContact:
					return fail(fmt.Sprintf("owner team %s has no contact email or chat", f.OwnerSlug))
				}
				return pass(fmt.Sprintf("owned by %s, which has a contact", f.OwnerSlug))
			},
		},
		{
			Rule: Rule{ID: RuleDescription, Title: "Description", Severity: Low,
				Explanation: "A description tells integration managers and auditors what the API is for without reading its contract. " +
					fmt.Sprintf("Fix: write at least %d characters saying what the API carries, between which systems, and who calls it.", MinDescription)},
			failing: fmt.Sprintf(`f.description_chars < %d`, MinDescription),
			evaluate: func(f facts) Result {
				switch {
				case f.DescriptionChars == 0:
					return fail("no description")
				case f.DescriptionChars < MinDescription:
					return fail(fmt.Sprintf("the description has %s; it needs at least %d", plural(f.DescriptionChars, "character"), MinDescription))
				}
				return pass(fmt.Sprintf("the description has %s", plural(f.DescriptionChars, "character")))
			},
		},
		{
			Rule: Rule{ID: RulePublishedSchema, Title: "JSON Schema on live versions", Severity: High,
				Explanation: "Documents are validated against the version's JSON Schema, and breaking changes are detected by comparing schemas. " +
					"A live version without one accepts anything and can change under its consumers. " +
					"Fix: publish a new version with a JSON Schema 2020-12 contract, move consumers to it, and deprecate the version without one."},
			failing: `f.schema_missing > 0`,
			evaluate: func(f facts) Result {
				return everyLiveVersion(f, f.NoSchema, "no JSON Schema", "a JSON Schema")
			},
		},
		{
			Rule: Rule{ID: RulePublishedChangelog, Title: "Changelog on live versions", Severity: Medium,
				Explanation: "A changelog tells consumers what changed in a version and whether they have to act. " +
					"Fix: write the changelog before publishing; a live version cannot be edited, so for one without a changelog " +
					"describe its changes in the next version's changelog and deprecate it."},
			failing: `f.changelog_missing > 0`,
			evaluate: func(f facts) Result {
				return everyLiveVersion(f, f.NoChangelog, "no changelog", "a changelog")
			},
		},
		{
			Rule: Rule{ID: RuleAuthPolicy, Title: "Authentication policy", Severity: Critical,
				Explanation: "A live version that does not require authentication accepts documents from anyone who finds the endpoint. " +
					"Fix: attach to every published and deprecated version a policy whose authentication lists at least one method " +
					"(API key or HMAC signature). Attached policies apply in position order and the last one that sets authentication wins, " +
					"so a later policy with an empty method list switches authentication off again."},
			failing: `f.auth_missing > 0`,
			evaluate: func(f facts) Result {
				return everyLiveVersion(f, f.NoAuth, "no attached policy that requires authentication", "an attached policy that requires authentication")
			},
		},
		{
			Rule: Rule{ID: RuleOrderIdempotency, Title: "Idempotency for order intake", Severity: High,
				Explanation: "Partners resend orders after timeouts; without idempotency a resent order is booked twice in the ERP. " +
					"This applies to process APIs in the order domain. The built-in default is not enough: state it in a reviewed policy. " +
					"Fix: attach a policy with idempotency (key required, or derived from the document) to every published and deprecated version."},
			failing: `f.kind = 'process' AND f.domain = 'order' AND f.idempotency_missing > 0`,
			evaluate: func(f facts) Result {
				if f.Kind != "process" || f.Domain != "order" {
					return notApplicable("applies to process APIs in the order domain only")
				}
				return everyLiveVersion(f, f.NoIdempotency, "no attached policy that sets idempotency", "an attached policy that sets idempotency")
			},
		},
		{
			Rule: Rule{ID: RuleDeprecationPlan, Title: "Deprecation plan", Severity: High,
				Explanation: "Consumers of a deprecated version need to know when it stops working and where to go; " +
					"the Sunset header and the link to the successor in every response come from these fields. " +
					"Fix: give each deprecated version a sunset date and a successor version."},
			failing: `(f.sunset_missing > 0 OR f.successor_missing > 0)`,
			evaluate: func(f facts) Result {
				if f.Deprecated == 0 {
					return notApplicable("no deprecated versions")
				}
				var gaps []string
				if f.NoSunset.Count > 0 {
					gaps = append(gaps, lack(f.NoSunset, "no sunset date"))
				}
				if f.NoSuccessor.Count > 0 {
					gaps = append(gaps, lack(f.NoSuccessor, "no successor"))
				}
				if len(gaps) > 0 {
					return fail(strings.Join(gaps, "; "))
				}
				if f.Deprecated == 1 {
					return pass("the deprecated version has a sunset date and a successor")
				}
				return pass(fmt.Sprintf("all %d deprecated versions have a sunset date and a successor", f.Deprecated))
			},
		},
		{
			Rule: Rule{ID: RuleEventAsyncAPI, Title: "AsyncAPI for event streams", Severity: Medium,
				Explanation: "Consumers of an event stream subscribe to channels and messages, which an AsyncAPI document describes. " +
					"Fix: publish a version of the event API with an AsyncAPI document."},
			failing: `f.kind = 'event' AND f.asyncapi_missing > 0`,
			evaluate: func(f facts) Result {
				if f.Kind != "event" {
					return notApplicable("applies to event APIs only")
				}
				return everyLiveVersion(f, f.NoAsyncAPI, "no AsyncAPI document", "an AsyncAPI document")
			},
		},
		{
			Rule: Rule{ID: RuleHasLiveVersion, Title: "Published version", Severity: Low,
				Explanation: "An API without a published version is only a plan, or is being switched off with nothing current to move to. " +
					"Fix: publish a version, or retire the remaining versions if the API is no longer needed."},
			failing: `f.published = 0`,
			evaluate: func(f facts) Result {
				switch {
				case f.Published > 0:
					return pass(plural(f.Published, "published version"))
				case f.Deprecated > 0:
					return fail(fmt.Sprintf("no published version, only %s", plural(f.Deprecated, "deprecated version")))
				}
				return fail("no published version")
			},
		},
	}
}

// everyLiveVersion is the shape shared by the rules about each live
// version: not applicable without live versions, failed when some lack
// the thing.
func everyLiveVersion(f facts, lacking gap, missing, present string) Result {
	live := f.Published + f.Deprecated
	switch {
	case live == 0:
		return notApplicable("no live (published or deprecated) versions")
	case lacking.Count > 0:
		return fail(lack(lacking, missing))
	case live == 1:
		return pass("the live version has " + present)
	}
	return pass(fmt.Sprintf("all %d live versions have %s", live, present))
}

func pass(detail string) Result          { return Result{Passed: true, Applicable: true, Detail: detail} }
func fail(detail string) Result          { return Result{Applicable: true, Detail: detail} }
func notApplicable(detail string) Result { return Result{Detail: detail} }

// maxListed is how many versions a detail names before "and N more".
const maxListed = 5

// lack says which versions lack something: "1.0.0 has no changelog",
// "1.0.0 and 1.1.0 have no changelog", "1.0.0, 1.1.0, ... and 3 more have ...".
func lack(g gap, what string) string {
	vs := sortedVersions(g.Versions)
	verb := "have"
	if len(vs) == 1 {
		verb = "has"
	}
	var list string
	switch n := len(vs); {
	case n == 0: // not expected: the count and the list come from the same filter
		list = plural(g.Count, "version")
	case n == 1:
		list = vs[0]
	case n <= maxListed:
		list = strings.Join(vs[:n-1], ", ") + " and " + vs[n-1]
	default:
		list = strings.Join(vs[:maxListed], ", ") + fmt.Sprintf(" and %d more", n-maxListed)
	}
	return list + " " + verb + " " + what
}

// sortedVersions orders versions by semantic version; a version that does
// not parse sorts after the others, by text.
func sortedVersions(vs versionList) []string {
	out := slices.Clone([]string(vs))
	slices.SortFunc(out, func(a, b string) int {
		va, errA := catalog.ParseSemVer(a)
		vb, errB := catalog.ParseSemVer(b)
		switch {
		case errA == nil && errB == nil && va != vb:
			if va.Less(vb) {
				return -1
			}
			return 1
		case errA == nil && errB != nil:
			return -1
		case errA != nil && errB == nil:
			return 1
		}
		return cmp.Compare(a, b)
	})
	return out
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// evaluate grades one API with the checks cs (checks(), built once per
// request).
func evaluate(cs []check, f facts) Card {
	card := Card{APISlug: f.Slug, Results: make([]Result, 0, len(cs))}
	var total, passed int
	for _, c := range cs {
		r := c.evaluate(f)
		r.RuleID = c.ID
		card.Results = append(card.Results, r)
		if !r.Applicable {
			continue
		}
		total += c.Severity.Weight()
		if r.Passed {
			passed += c.Severity.Weight()
		} else {
			card.Failing = append(card.Failing, c.Rule)
		}
	}
	card.Score = 100
	if total > 0 {
		card.Score = passed * 100 / total
	}
	slices.SortStableFunc(card.Failing, func(a, b Rule) int { return cmp.Compare(b.Severity.Weight(), a.Severity.Weight()) })
	return card
}
