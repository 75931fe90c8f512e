package catalogcode

import (
	"github.com/crossdock/crossdock/internal/canonical"
	"github.com/crossdock/crossdock/internal/catalog"
)

// CanonicalTeam owns the canonical contracts in the catalog.
const CanonicalTeam = "integration-architecture"

// canonicalAPIs maps each canonical document to its process API.
func canonicalAPIs() map[string]struct{ slug, name, domain, what string } {
	return map[string]struct{ slug, name, domain, what string }{
		canonical.Order:           {"canonical-order", "Canonical order", "order", "Purchase orders from any syntax (X12 850/940, EDIFACT ORDERS, CSV, JSON), as one document."},
		canonical.OrderAck:        {"canonical-order-ack", "Canonical order acknowledgment", "order", "Order acknowledgments (X12 855, EDIFACT ORDRSP) with line status."},
		canonical.ShipmentNotice:  {"canonical-shipment-notice", "Canonical shipment notice", "shipment", "Advance ship notices (X12 856/945, EDIFACT DESADV) with packs, SSCCs and items."},
		canonical.Invoice:         {"canonical-invoice", "Canonical invoice", "invoice", "Invoices (X12 810, EDIFACT INVOIC) with lines, allowances and totals."},
		canonical.InventoryAdvice: {"canonical-inventory-advice", "Canonical inventory advice", "inventory", "Inventory positions (X12 846) per item and location."},
		canonical.FunctionalAck:   {"canonical-functional-ack", "Canonical functional acknowledgment", "partner", "Functional acknowledgments (X12 997) of received groups and sets."},
	}
}

// CanonicalDocument is the catalog entry of the shipped canonical model: a
// team and one process API per canonical document, version 1.0.0 published
// with the document's JSON Schema as its contract.
func CanonicalDocument() Document {
	doc := Document{APIVersion: APIVersion, Kind: Kind,
		Teams: []Team{{Slug: CanonicalTeam, Name: "Integration architecture", Description: "Owns the canonical data model every adapter maps to.", ContactEmail: "integration-architecture@crossdock.example"}}}
	apis := canonicalAPIs()
	for _, d := range canonical.Schemas() {
		a, ok := apis[d.Name]
		if !ok {
			continue
		}
		doc.APIs = append(doc.APIs, API{Slug: a.slug, Name: a.name, Kind: "process", Domain: a.domain, OwnerTeam: CanonicalTeam,
			Description: a.what + "\n\nShipped with Crossdock: adapters map partner documents to this contract, so it is versioned and governed like any other.",
			Tags:        []string{"canonical"},
			Versions:    []Version{{Version: d.Version, Lifecycle: string(catalog.Published), Changelog: "Canonical model " + d.Version + " shipped with Crossdock.", Schema: d.Raw}}})
	}
	return doc
}
