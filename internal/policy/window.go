package policy

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	// Embedded zone database: validation and window checks must not depend
	// on the zoneinfo files of the host running them (tests, dev machines).
	// The system database is still preferred when present.
	_ "time/tzdata"
)

// Window is a recurring weekly maintenance window of a target, on the wall
// clock of TimeZone: on each of Days it opens at Start and closes at End.
// When End is not after Start the window crosses midnight and closes on the
// next day; Days name the day it opens ("fri 22:00-02:00" holds until
// Saturday 02:00). End may be "24:00" for the end of the day.
//
// Membership is decided on the local wall clock, which makes windows follow
// daylight saving time: a 22:00 window opens at 22:00 local time in winter
// and in summer. On the night clocks go back, the repeated hour counts
// twice; on the night they go forward, skipped times never occur and the
// window is that much shorter.
type Window struct {
	Name     string   `json:"name"`
	TimeZone string   `json:"timeZone"` // IANA name, e.g. "America/Chicago"
	Days     []string `json:"days"`     // "mon" .. "sun"
	Start    string   `json:"start"`    // "HH:MM", 24-hour
	End      string   `json:"end"`      // "HH:MM", or "24:00"
}

// Weekdays are the day names a window uses, Monday first.
func Weekdays() []string { return []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"} }

// weekday maps a day name to time.Weekday.
func weekday(name string) (time.Weekday, bool) {
	i := slices.Index(Weekdays(), name)
	if i < 0 {
		return 0, false
	}
	return time.Weekday((i + 1) % 7), true
}

// compiledWindow is a checked Window ready to test instants against.
type compiledWindow struct {
	loc        *time.Location
	days       [7]bool // indexed by time.Weekday
	start, end int     // minutes since local midnight; end may be 1440
}

// compile checks w and returns it ready for use, with a message per invalid
// field keyed by its JSON name (empty when w is valid).
func (w Window) compile() (compiledWindow, map[string]string) {
	var c compiledWindow
	f := map[string]string{}
	if strings.TrimSpace(w.Name) == "" {
		f["name"] = "Give the maintenance window a name, for example \"ERP nightly backup\"."
	} else if len(w.Name) > 80 {
		f["name"] = "Keep the window name under 80 characters."
	}
	switch tz := strings.TrimSpace(w.TimeZone); {
	case tz == "":
		f["timeZone"] = "Choose the time zone the window is expressed in, for example America/Chicago."
	case tz == "Local":
		f["timeZone"] = "Name an IANA time zone such as America/Chicago; \"Local\" depends on the server."
	default:
		loc, err := time.LoadLocation(tz)
		if err != nil {
			f["timeZone"] = fmt.Sprintf("%q is not a known IANA time zone; use a name such as America/Chicago or Europe/Berlin.", w.TimeZone)
		} else {
			c.loc = loc
		}
	}
	if len(w.Days) == 0 {
		f["days"] = "Pick at least one day."
	}
	for _, d := range w.Days {
		wd, ok := weekday(d)
		if !ok {
			f["days"] = fmt.Sprintf("Use mon, tue, wed, thu, fri, sat or sun (got %q).", d)
			break
		}
		if c.days[wd] {
			f["days"] = fmt.Sprintf("The day %s is listed twice.", d)
			break
		}
		c.days[wd] = true
	}
	var okStart, okEnd bool
	if c.start, okStart = clock(w.Start, false); !okStart {
		f["start"] = "Use a 24-hour time such as 22:00."
	}
	if c.end, okEnd = clock(w.End, true); !okEnd {
		f["end"] = "Use a 24-hour time such as 02:00, or 24:00 for the end of the day."
	}
	if okStart && okEnd && c.start == c.end {
		f["end"] = "The window must end at a different time than it starts."
	}
	return c, f
}

// clock parses "HH:MM" into minutes since midnight; "24:00" only when
// allowEnd.
func clock(s string, allowEnd bool) (int, bool) {
	if len(s) != 5 || s[2] != ':' {
		return 0, false
	}
	h, err1 := strconv.Atoi(s[:2])
	m, err2 := strconv.Atoi(s[3:])
	if err1 != nil || err2 != nil || h < 0 || m < 0 || m > 59 {
		return 0, false
	}
	if h == 24 && m == 0 && allowEnd {
		return 24 * 60, true
	}
	if h > 23 {
		return 0, false
	}
	return h*60 + m, true
}

func (w Window) validate(prefix string, f map[string]string) {
	_, probs := w.compile()
	for k, v := range probs {
		f[prefix+"."+k] = v
	}
}

// Contains reports whether t falls inside the window. It fails when the
// window is invalid (unknown time zone, bad day or time).
func (w Window) Contains(t time.Time) (bool, error) {
	c, probs := w.compile()
	if len(probs) > 0 {
		keys := make([]string, 0, len(probs))
		for k := range probs {
			keys = append(keys, k+": "+probs[k])
		}
		sort.Strings(keys)
		return false, fmt.Errorf("policy: maintenance window %q: %w", w.Name, errors.New(strings.Join(keys, "; ")))
	}
	return c.contains(t), nil
}

func (c compiledWindow) contains(t time.Time) bool {
	lt := t.In(c.loc)
	now := lt.Hour()*60 + lt.Minute()
	today := lt.Weekday()
	if c.end > c.start { // same day
		return c.days[today] && now >= c.start && now < c.end
	}
	// Crosses midnight: either it opened today, or it opened yesterday
	// (by the local calendar) and has not closed yet.
	yesterday := (today + 6) % 7
	return c.days[today] && now >= c.start || c.days[yesterday] && now < c.end
}

// InMaintenance returns the first window containing t. Invalid windows
// (which Validate rejects) never match.
func InMaintenance(windows []Window, t time.Time) (Window, bool) {
	for _, w := range windows {
		c, probs := w.compile()
		if len(probs) == 0 && c.contains(t) {
			return w, true
		}
	}
	return Window{}, false
}

// String describes the window: "Mon–Fri 22:00–02:00 America/Chicago".
func (w Window) String() string {
	return fmt.Sprintf("%s %s–%s %s", formatDays(w.Days), w.Start, w.End, w.TimeZone)
}

// formatDays writes days in week order, runs of three or more as ranges:
// "Mon–Fri", "Sat, Sun", "Mon, Wed, Fri", "Every day".
func formatDays(days []string) string {
	var on [7]bool // Monday first
	for _, d := range days {
		if i := slices.Index(Weekdays(), d); i >= 0 {
			on[i] = true
		}
	}
	if !slices.Contains(on[:], false) {
		return "Every day"
	}
	title := func(i int) string { d := Weekdays()[i]; return strings.ToUpper(d[:1]) + d[1:] }
	var parts []string
	for i := 0; i < 7; {
		if !on[i] {
			i++
			continue
		}
		j := i
		for j+1 < 7 && on[j+1] {
			j++
		}
		switch {
		case j-i >= 2:
			parts = append(parts, title(i)+"–"+title(j))
		default:
			for k := i; k <= j; k++ {
				parts = append(parts, title(k))
			}
		}
		i = j + 1
	}
	if len(parts) == 0 {
		return "No days"
	}
	return strings.Join(parts, ", ")
}
