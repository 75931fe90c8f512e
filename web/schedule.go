package web

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/crossdock/crossdock/internal/auth"
	"github.com/crossdock/crossdock/internal/deprecation"
	"github.com/crossdock/crossdock/views/components"
	"github.com/crossdock/crossdock/views/pages"
)

// timelineDays is how far ahead the schedule's timeline looks.
const timelineDays = 180

// scheduleRows is how many rows each schedule table shows; filters narrow.
const scheduleRows = 200

func readScheduleFilter(c *fiber.Ctx) pages.ScheduleFilter {
	return pages.ScheduleFilter{Query: strings.TrimSpace(c.Query("q")), Team: c.Query("team"), Status: c.Query("status")}
}

func (s *Server) scheduleEntries(c *fiber.Ctx, f pages.ScheduleFilter, past bool, limit int) ([]deprecation.Entry, error) {
	entries, err := deprecation.Schedule(ctx(c), s.d.DB, time.Now(), deprecation.Filter{Team: f.Team, Status: f.Status, Query: f.Query, Past: past, Limit: limit}, s.consumers())
	if errors.Is(err, deprecation.ErrInvalidFilter) {
		return nil, &validationError{fields: map[string]string{"status": "Choose upcoming, sunset passed or retired."}}
	}
	return entries, err
}

func scheduleRow(e deprecation.Entry, now time.Time) pages.ScheduleRow {
	r := pages.ScheduleRow{APISlug: e.APISlug, APIName: e.APIName, Version: e.Version, Lifecycle: string(e.Lifecycle), TeamSlug: e.TeamSlug, TeamName: e.TeamName, Successor: e.Successor}
	if e.DeprecatedAt != nil {
		r.Deprecated = timeView(*e.DeprecatedAt, now)
	}
	r.DaysLeft, r.Tone = "no sunset date", components.ToneWarn
	if e.SunsetAt != nil {
		r.Sunset = timeView(*e.SunsetAt, now)
		r.SunsetDate = e.SunsetAt.UTC().Format(time.DateOnly)
	}
	if e.DaysLeft != nil {
		d := *e.DaysLeft
		switch {
		case d < 0:
			r.DaysLeft, r.Tone = fmt.Sprintf("%d days ago", -d), components.ToneNeutral
		case d <= 7:
			r.DaysLeft, r.Tone = fmt.Sprintf("%d days", d), components.ToneBad
		case d <= 30:
			r.DaysLeft, r.Tone = fmt.Sprintf("%d days", d), components.ToneWarn
		default:
			r.DaysLeft, r.Tone = fmt.Sprintf("%d days", d), components.ToneInfo
		}
	}
	for _, c := range e.Consumers {
		r.Consumers = append(r.Consumers, c.Name)
	}
	return r
}

// timeline lays out the upcoming sunsets on a small SVG.
func timeline(upcoming []deprecation.Entry, now time.Time) pages.Timeline {
	const width, left, right, rowH, top = 1000, 10, 180, 22, 14
	tl := pages.Timeline{Width: width, Days: timelineDays}
	span := float64(width - left - right)
	x := func(t time.Time) int {
		return left + int(span*t.Sub(now).Hours()/24/timelineDays)
	}
	var marks []pages.TimelineMark
	for _, e := range upcoming {
		if e.SunsetAt == nil || e.DaysLeft == nil || *e.DaysLeft > timelineDays || *e.DaysLeft < 0 || len(marks) == 12 {
			continue
		}
		tone := "info"
		if *e.DaysLeft <= 7 {
			tone = "bad"
		} else if *e.DaysLeft <= 30 {
			tone = "warn"
		}
		marks = append(marks, pages.TimelineMark{X: x(*e.SunsetAt), Y: top + len(marks)*rowH, Label: e.APIName + " " + e.Version + " · " + e.SunsetAt.UTC().Format("Jan 2"), Href: "/catalog/apis/" + e.APISlug + "/versions/" + e.Version, Tone: tone})
	}
	tl.Marks = marks
	tl.AxisY = top + max(len(marks), 1)*rowH
	tl.Height = tl.AxisY + 24
	for m := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, 1, 0); m.Sub(now) < timelineDays*24*time.Hour; m = m.AddDate(0, 1, 0) {
		tl.Ticks = append(tl.Ticks, pages.TimelineTick{X: x(m), Label: m.Format("Jan 2006")})
	}
	return tl
}

// schedulePage shows upcoming and past deprecations, as a timeline and tables.
func (s *Server) schedulePage(c *fiber.Ctx) error {
	f := readScheduleFilter(c)
	var upcoming, past []deprecation.Entry
	var err error
	if f.Status == "" {
		if upcoming, err = s.scheduleEntries(c, pages.ScheduleFilter{Query: f.Query, Team: f.Team, Status: deprecation.StatusUpcoming}, false, scheduleRows); err != nil {
			return err
		}
		if past, err = s.scheduleEntries(c, f, true, scheduleRows); err != nil {
			return err
		}
	} else {
		entries, err := s.scheduleEntries(c, f, false, 2*scheduleRows)
		if err != nil {
			return err
		}
		upcoming, past = deprecation.Split(entries)
	}
	teams, err := s.d.Catalog.Teams(ctx(c))
	if err != nil {
		return err
	}
	now := time.Now()
	offsets := make([]string, len(s.d.Config.NoticeOffsets))
	for i, o := range s.d.Config.NoticeOffsets {
		offsets[i] = strconv.Itoa(o)
	}
	q := url.Values{}
	for k, v := range map[string]string{"q": f.Query, "team": f.Team, "status": f.Status} {
		if v != "" {
			q.Set(k, v)
		}
	}
	m := pages.SchedulePage{Chrome: s.chrome(c, "Deprecations"), Filter: f, Timeline: timeline(upcoming, now), CanExport: canWrite(c, auth.PermCatalogExport),
		ExportQuery: q.Encode(), Offsets: joinAnd(offsets), Truncated: len(upcoming) >= scheduleRows || len(past) >= scheduleRows}
	for _, t := range teams {
		m.Teams = append(m.Teams, pages.Option{Value: t.Slug, Label: t.Name})
	}
	for _, e := range upcoming {
		m.Upcoming = append(m.Upcoming, scheduleRow(e, now))
	}
	for _, e := range past {
		m.Past = append(m.Past, scheduleRow(e, now))
	}
	return s.render(c, fiber.StatusOK, pages.Schedule(m))
}

// scheduleExportCSV exports the (filtered) schedule.
func (s *Server) scheduleExportCSV(c *fiber.Ctx) error {
	entries, err := s.scheduleEntries(c, readScheduleFilter(c), false, 0)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="crossdock-deprecations-`+time.Now().UTC().Format("20060102")+`.csv"`)
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	w := bufio.NewWriter(c.Response().BodyWriter())
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"api", "api_name", "version", "lifecycle", "owner_team", "deprecated_at", "sunset_at", "days_left", "successor", "status"})
	ts := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.UTC().Format(time.RFC3339)
	}
	for _, e := range entries {
		days := ""
		if e.DaysLeft != nil {
			days = strconv.Itoa(*e.DaysLeft)
		}
		_ = cw.Write([]string{e.APISlug, e.APIName, e.Version, string(e.Lifecycle), e.TeamSlug, ts(e.DeprecatedAt), ts(e.SunsetAt), days, e.Successor, e.Status})
	}
	cw.Flush()
	return w.Flush()
}

// notificationsPage lists in-app notifications.
func (s *Server) notificationsPage(c *fiber.Ctx) error {
	ns, err := deprecation.Notifications(ctx(c), s.d.DB, 100)
	if err != nil {
		return err
	}
	now := time.Now()
	m := pages.NotificationsPage{Chrome: s.chrome(c, "Notifications")}
	for _, n := range ns {
		m.Rows = append(m.Rows, pages.NotificationRow{Title: n.Title, Body: n.Body, Link: n.Link, Kind: n.Kind, When: timeView(n.CreatedAt, now)})
	}
	return s.render(c, fiber.StatusOK, pages.Notifications(m))
}

// joinAnd lists words as people write them: "90, 30, 7 and 1".
func joinAnd(words []string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
}

// consumers is the source of who targets an API version (adapters), or nil.
func (s *Server) consumers() deprecation.ConsumerSource {
	if s.d.Adapters == nil {
		return nil
	}
	return s.d.Adapters
}
