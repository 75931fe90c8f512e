package web

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/crossdock/crossdock/internal/audit"
	"github.com/crossdock/crossdock/internal/auth"
	"github.com/crossdock/crossdock/views/components"
	"github.com/crossdock/crossdock/views/pages"
	"github.com/crossdock/crossdock/web/middleware"
)

// auditQuery is the audit filter as typed in the URL.
type auditQuery struct {
	pages.AuditFilter
	Page     int
	PageSize int
}

func readAuditQuery(c *fiber.Ctx) auditQuery {
	q := auditQuery{AuditFilter: pages.AuditFilter{
		Actor: strings.TrimSpace(c.Query("actor")), EntityType: c.Query("entity"), Action: c.Query("action"),
		From: c.Query("from"), To: c.Query("to"),
	}, Page: c.QueryInt("page", 1), PageSize: 50}
	return q
}

// filter validates the query; dates are whole days in UTC, "to" inclusive.
func (q auditQuery) filter() (audit.Filter, map[string]string) {
	f := audit.Filter{Actor: q.Actor, EntityType: q.EntityType, Action: q.Action, Page: q.Page, PageSize: q.PageSize}
	errs := map[string]string{}
	if q.From != "" {
		t, err := time.Parse(time.DateOnly, q.From)
		if err != nil {
			errs["from"] = "Enter a date as YYYY-MM-DD."
		}
		f.From = t
	}
	if q.To != "" {
		t, err := time.Parse(time.DateOnly, q.To)
		if err != nil {
			errs["to"] = "Enter a date as YYYY-MM-DD."
		} else {
			f.To = t.AddDate(0, 0, 1)
		}
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		errs["to"] = "The end date must not be before the start date."
	}
	return f, errs
}

func (q auditQuery) values(page int) url.Values {
	v := url.Values{}
	for k, s := range map[string]string{"actor": q.Actor, "entity": q.EntityType, "action": q.Action, "from": q.From, "to": q.To} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
	}
	return v
}

func (s *Server) listAudit(c *fiber.Ctx, q auditQuery) ([]pages.AuditRow, int64, error) {
	f, _ := q.filter()
	events, total, err := audit.List(ctx(c), s.d.DB, f)
	if err != nil {
		return nil, 0, err
	}
	return auditRows(events), total, nil
}

// auditRows prepares events for the audit tables.
func auditRows(events []audit.Event) []pages.AuditRow {
	now := time.Now()
	rows := make([]pages.AuditRow, len(events))
	for i, e := range events {
		rows[i] = pages.AuditRow{ID: e.ID, When: timeView(e.OccurredAt, now), Actor: e.Actor, ActorName: e.ActorName, ActorRole: e.ActorRole,
			Action: e.Action, EntityType: e.EntityType, EntityID: e.EntityID, RequestID: e.RequestID, ClientIP: e.ClientIP,
			Before: prettyJSON(e.Before), After: prettyJSON(e.After)}
	}
	return rows
}

func prettyJSON(s *string) string {
	if s == nil {
		return ""
	}
	var v any
	if err := json.Unmarshal([]byte(*s), &v); err != nil {
		return *s
	}
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return *s
	}
	return string(b)
}

// auditPage lists events with filters in the URL.
func (s *Server) auditPage(c *fiber.Ctx) error {
	q := readAuditQuery(c)
	p, _ := middleware.GetPrincipal(c)
	m := pages.AuditPage{Chrome: s.chrome(c, "Audit log"), Filter: q.AuditFilter, CanExport: p.Role.Can(auth.PermAuditExport), ExportQuery: q.values(0).Encode()}
	var err error
	if m.EntityTypes, m.Actions, err = audit.Facets(ctx(c), s.d.DB); err != nil {
		return err
	}
	if _, errs := q.filter(); len(errs) > 0 {
		m.Errors = errs
		return s.render(c, fiber.StatusUnprocessableEntity, pages.Audit(m))
	}
	rows, total, err := s.listAudit(c, q)
	if err != nil {
		return err
	}
	m.Rows = rows
	m.Pager = pager(total, q.Page, q.PageSize, "events", func(page int) string { return "/audit?" + q.values(page).Encode() })
	return s.render(c, fiber.StatusOK, pages.Audit(m))
}

// pager computes pagination links.
func pager(total int64, page, size int, noun string, link func(int) string) components.Pager {
	pages := int((total + int64(size) - 1) / int64(size))
	if pages < 1 {
		pages = 1
	}
	if page < 1 {
		page = 1
	}
	p := components.Pager{Total: total, Page: page, Pages: pages, Noun: noun, PageSize: size}
	if page > 1 {
		p.PrevURL = link(page - 1)
	}
	if page < pages {
		p.NextURL = link(page + 1)
	}
	return p
}

// validationError is a 422 with a message per field.
type validationError struct{ fields map[string]string }

func (e *validationError) Error() string { return "validation failed" }

func (s *Server) exportFilter(c *fiber.Ctx) (audit.Filter, error) {
	f, errs := readAuditQuery(c).filter()
	if len(errs) > 0 {
		return f, &validationError{fields: errs}
	}
	return f, nil
}

// auditEventJSON is the exported shape of an event, hashes included so an
// auditor can re-verify the chain outside Crossdock.
type auditEventJSON struct {
	ID         int64           `json:"id"`
	OccurredAt time.Time       `json:"occurred_at"`
	Actor      string          `json:"actor"`
	ActorName  string          `json:"actor_name"`
	ActorRole  string          `json:"actor_role"`
	Action     string          `json:"action"`
	EntityType string          `json:"entity_type"`
	EntityID   string          `json:"entity_id"`
	Before     json.RawMessage `json:"before,omitempty"`
	After      json.RawMessage `json:"after,omitempty"`
	RequestID  string          `json:"request_id"`
	ClientIP   string          `json:"client_ip"`
	PrevHash   string          `json:"prev_hash"`
	Hash       string          `json:"hash"`
}

func toJSON(e audit.Event) auditEventJSON {
	raw := func(s *string) json.RawMessage {
		if s == nil {
			return nil
		}
		return json.RawMessage(*s)
	}
	return auditEventJSON{ID: e.ID, OccurredAt: e.OccurredAt.UTC(), Actor: e.Actor, ActorName: e.ActorName, ActorRole: e.ActorRole, Action: e.Action,
		EntityType: e.EntityType, EntityID: e.EntityID, Before: raw(e.Before), After: raw(e.After), RequestID: e.RequestID, ClientIP: e.ClientIP, PrevHash: e.PrevHash, Hash: e.Hash}
}

func attachment(c *fiber.Ctx, ext string) {
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="crossdock-audit-`+time.Now().UTC().Format("20060102-150405")+`.`+ext+`"`)
	c.Set(fiber.HeaderCacheControl, "no-store")
}

// auditExportCSV streams every matching event, oldest first.
func (s *Server) auditExportCSV(c *fiber.Ctx) error {
	f, err := s.exportFilter(c)
	if err != nil {
		return err
	}
	attachment(c, "csv")
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	db, log, rctx := s.d.DB, s.d.Log, context.WithoutCancel(ctx(c))
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		cw := csv.NewWriter(w)
		_ = cw.Write([]string{"id", "occurred_at", "actor", "actor_name", "actor_role", "action", "entity_type", "entity_id", "before", "after", "request_id", "client_ip", "prev_hash", "hash"})
		err := audit.Each(rctx, db, f, func(e audit.Event) error {
			j := toJSON(e)
			return cw.Write([]string{strconv.FormatInt(e.ID, 10), j.OccurredAt.Format(time.RFC3339Nano), e.Actor, e.ActorName, e.ActorRole, e.Action, e.EntityType, e.EntityID,
				string(j.Before), string(j.After), e.RequestID, e.ClientIP, e.PrevHash, e.Hash})
		})
		cw.Flush()
		if err != nil {
			log.Error("audit CSV export failed midway", "error", err)
		}
	})
	return nil
}

// auditExportJSON streams every matching event as a JSON array.
func (s *Server) auditExportJSON(c *fiber.Ctx) error {
	f, err := s.exportFilter(c)
	if err != nil {
		return err
	}
	attachment(c, "json")
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	db, log, rctx := s.d.DB, s.d.Log, context.WithoutCancel(ctx(c))
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		enc := json.NewEncoder(w)
		_, _ = w.WriteString("[")
		first := true
		err := audit.Each(rctx, db, f, func(e audit.Event) error {
			if !first {
				_, _ = w.WriteString(",")
			}
			first = false
			return enc.Encode(toJSON(e))
		})
		_, _ = w.WriteString("]\n")
		if err != nil {
			log.Error("audit JSON export failed midway", "error", err)
		}
	})
	return nil
}

// apiAuditEvents is one page of events as JSON.
func (s *Server) apiAuditEvents(c *fiber.Ctx) error {
	q := readAuditQuery(c)
	q.PageSize = c.QueryInt("page_size", 50)
	f, errs := q.filter()
	if len(errs) > 0 {
		return &validationError{fields: errs}
	}
	events, total, err := audit.List(ctx(c), s.d.DB, f)
	if err != nil {
		return err
	}
	out := make([]auditEventJSON, len(events))
	for i, e := range events {
		out[i] = toJSON(e)
	}
	return c.JSON(fiber.Map{"events": out, "total": total, "page": max(q.Page, 1)})
}

// apiMe describes the caller.
func (s *Server) apiMe(c *fiber.Ctx) error {
	p, _ := middleware.GetPrincipal(c)
	perms := make([]string, 0)
	for _, x := range p.Role.Permissions() {
		perms = append(perms, string(x))
	}
	return c.JSON(fiber.Map{"id": p.UserID, "name": p.Name, "email": p.Email, "role": p.Role, "permissions": perms})
}
