package formats

import (
	"strings"

	"github.com/crossdock/crossdock/internal/edifact"
	"github.com/crossdock/crossdock/internal/x12"
)

// parseX12 gives one document per transaction set. Envelope problems
// (counts, control numbers) are not parse errors: they are the business
// of x12.Validate and the 997; a fatal syntax error (no ISA, broken ISA)
// rejects the payload.
func parseX12(data []byte, _ Options) ([]any, error) {
	ics, err := x12.ParseAll(data)
	if err != nil {
		return nil, err
	}
	var docs []any
	for ii, ic := range ics {
		isa := isaObject(&ic.ISA)
		for gi := range ic.Groups {
			g := &ic.Groups[gi]
			gs := gsObject(&g.GS)
			for si := range g.Sets {
				docs = append(docs, map[string]any{
					"interchange": clone(isa),
					"group":       clone(gs),
					"set":         x12.Tree(&g.Sets[si]),
					"index":       map[string]any{"interchange": ii, "group": gi, "set": si},
				})
			}
		}
	}
	return docs, nil
}

// isaObject names the ISA elements, padding trimmed. ISA02 and ISA04
// (authorization and security information) are deliberately absent.
func isaObject(h *x12.ISA) map[string]any {
	m := map[string]any{}
	put := func(k, v string) {
		if v = strings.TrimSpace(v); v != "" {
			m[k] = v
		}
	}
	put("authQualifier", h.AuthQualifier)
	put("securityQualifier", h.SecurityQualifier)
	put("senderQualifier", h.SenderQualifier)
	put("senderId", h.SenderID)
	put("receiverQualifier", h.ReceiverQualifier)
	put("receiverId", h.ReceiverID)
	put("date", h.Date)
	put("time", h.Time)
	put("version", h.Version)
	put("controlNumber", h.ControlNumber)
	put("ackRequested", h.AckRequested)
	put("usage", h.Usage)
	return m
}

func gsObject(g *x12.GS) map[string]any {
	m := map[string]any{}
	put := func(k, v string) {
		if v = strings.TrimSpace(v); v != "" {
			m[k] = v
		}
	}
	put("functionalId", g.FunctionalID)
	put("senderCode", g.SenderCode)
	put("receiverCode", g.ReceiverCode)
	put("date", g.Date)
	put("time", g.Time)
	put("controlNumber", g.ControlNumber)
	put("agency", g.Agency)
	put("version", g.Version)
	return m
}

// parseEDIFACT gives one document per message, inside or outside UNG
// groups.
func parseEDIFACT(data []byte, _ Options) ([]any, error) {
	ics, err := edifact.ParseAll(data)
	if err != nil {
		return nil, err
	}
	var docs []any
	for ii, ic := range ics {
		unb := unbObject(&ic.Header, ic.UNA)
		tree := edifact.Tree(ic)
		if msgs, ok := tree["messages"].([]any); ok {
			for mi, m := range msgs {
				docs = append(docs, map[string]any{
					"interchange": clone(unb),
					"message":     m,
					"index":       map[string]any{"interchange": ii, "message": mi},
				})
			}
		}
		if groups, ok := tree["groups"].([]any); ok {
			for gi, g := range groups {
				gm, _ := g.(map[string]any)
				ung := ungObject(&ic.Groups[gi].Header)
				msgs, _ := gm["messages"].([]any)
				for mi, m := range msgs {
					docs = append(docs, map[string]any{
						"interchange": clone(unb),
						"group":       clone(ung),
						"message":     m,
						"index":       map[string]any{"interchange": ii, "group": gi, "message": mi},
					})
				}
			}
		}
	}
	return docs, nil
}

// unbObject names the UNB elements. The recipient password (UNB06) is
// deliberately absent.
func unbObject(s *edifact.Segment, una bool) map[string]any {
	m := map[string]any{"una": una}
	put := func(k, v string) {
		if v != "" {
			m[k] = v
		}
	}
	put("syntax", s.Component(1, 1))
	put("syntaxVersion", s.Component(1, 2))
	put("senderId", s.Component(2, 1))
	put("senderQualifier", s.Component(2, 2))
	put("recipientId", s.Component(3, 1))
	put("recipientQualifier", s.Component(3, 2))
	put("date", s.Component(4, 1))
	put("time", s.Component(4, 2))
	put("controlReference", s.Element(5))
	put("applicationReference", s.Element(7))
	put("processingPriority", s.Element(8))
	put("ackRequest", s.Element(9))
	put("agreementId", s.Element(10))
	put("testIndicator", s.Element(11))
	return m
}

func ungObject(s *edifact.Segment) map[string]any {
	m := map[string]any{}
	put := func(k, v string) {
		if v != "" {
			m[k] = v
		}
	}
	put("messageGroupId", s.Element(1))
	put("senderId", s.Component(2, 1))
	put("senderQualifier", s.Component(2, 2))
	put("recipientId", s.Component(3, 1))
	put("recipientQualifier", s.Component(3, 2))
	put("date", s.Component(4, 1))
	put("time", s.Component(4, 2))
	put("groupReference", s.Element(5))
	put("agency", s.Element(6))
	put("messageVersion", s.Component(7, 1))
	put("messageRelease", s.Component(7, 2))
	put("associationCode", s.Component(7, 3))
	return m
}

// clone copies a flat envelope object so documents share no maps.
func clone(m map[string]any) map[string]any {
	c := make(map[string]any, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}
