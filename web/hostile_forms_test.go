package web_test

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/crossdock/crossdock/internal/app"
	"github.com/crossdock/crossdock/internal/auth"
)

// hostileValues are what every field of every form gets in turn: nothing,
// text full of markup, quotes, LIKE and path characters and astral
// Unicode, numbers out of any range, and values of the wrong kind.
var hostileValues = []string{
	"",
	strings.Repeat(`ü𝄞<script>alert(1)</script>'";%_\/../`, 120),
	"-99999999999999999999999999",
	"NaN",
	"2024-02-30T25:61",
	`{"rate": "x", "burst": [1]}`,
}

// Bad input gets a page or a redirect, never a 500. The test signs in as
// admin on the demo data of `make run`, walks every console page it can
// reach from the home page, and posts every form it finds once per hostile
// value (every field set to it, hidden ids and choices included), then
// submits every GET form (the filters) the same way.
func TestFormsSurviveHostileInput(t *testing.T) {
	e := newEnv(t, nil)
	env := map[string]string{"CROSSDOCK_DATABASE_URL": e.cfg.DatabaseURL, "CROSSDOCK_REDIS_URL": e.cfg.RedisURL, "CROSSDOCK_DEV_LOGIN": "true"}
	var out bytes.Buffer
	if code := app.Main(context.Background(), []string{"seed", "--demo"}, func(k string) string { return env[k] }, &out, &out); code != 0 {
		t.Fatalf("seed --demo: exit %d: %s", code, out.String())
	}
	c := e.client()
	c.loginAs(auth.RoleAdmin)

	type form struct {
		page, method, action string
		fields               []string
	}
	forms := map[string]form{} // by method and action
	seen := map[string]bool{"/": true}
	queue := []string{"/"}
	for len(queue) > 0 && len(seen) < 400 {
		page := queue[0]
		queue = queue[1:]
		resp := c.get(page)
		body := readBody(t, resp)
		if resp.StatusCode >= 500 {
			t.Errorf("GET %s: %d", page, resp.StatusCode)
			continue
		}
		if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Content-Type"), "text/html") {
			continue
		}
		d, err := goquery.NewDocumentFromReader(strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		d.Find("a[href]").Each(func(_ int, a *goquery.Selection) {
			if next := consolePath(page, a.AttrOr("href", "")); next != "" && !seen[next] {
				seen[next] = true
				queue = append(queue, next)
			}
		})
		d.Find("form").Each(func(_ int, f *goquery.Selection) {
			method := strings.ToUpper(f.AttrOr("method", "GET"))
			action := consolePath(page, f.AttrOr("action", page))
			if action == "" || action == "/logout" || strings.HasPrefix(action, "/auth/") {
				return
			}
			key := method + " " + strings.SplitN(action, "?", 2)[0]
			if _, ok := forms[key]; ok {
				return
			}
			var fields []string
			f.Find("input[name], select[name], textarea[name]").Each(func(_ int, in *goquery.Selection) {
				if name := in.AttrOr("name", ""); name != "_csrf" {
					fields = append(fields, name)
				}
			})
			forms[key] = form{page: page, method: method, action: action, fields: fields}
		})
	}
	if len(seen) < 40 || len(forms) < 40 {
		t.Fatalf("the walk reached %d pages and %d forms; the demo console has more", len(seen), len(forms))
	}

	keys := make([]string, 0, len(forms))
	for k := range forms {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	posts := 0
	for _, k := range keys {
		f := forms[k]
		for _, v := range hostileValues {
			if f.method != http.MethodPost && len(v) > 200 {
				v = v[:200] // a query string is read into a 4 KiB buffer; longer ones get 431 before any handler
			}
			values := url.Values{}
			for _, name := range f.fields {
				values.Add(name, v)
			}
			var resp *http.Response
			if f.method == http.MethodPost {
				c = e.client() // a new session: an earlier form may have ended the last one
				c.loginAs(auth.RoleAdmin)
				values.Set("_csrf", c.csrf("/"))
				resp = c.post(f.action, values)
				posts++
			} else {
				sep := "?"
				if strings.Contains(f.action, "?") {
					sep = "&"
				}
				resp = c.get(f.action + sep + values.Encode())
			}
			body := readBody(t, resp)
			if resp.StatusCode >= 500 {
				t.Errorf("%s (form on %s) with %.40q: %d: %.300s", k, f.page, v, resp.StatusCode, body)
			}
		}
	}
	t.Logf("walked %d pages, %d forms, %d hostile posts", len(seen), len(forms), posts)
}

// consolePath resolves href against page and returns it when it is a
// console page worth visiting (same origin, not a static asset, an export
// or the sign-out), else "".
func consolePath(page, href string) string {
	if href == "" || strings.HasPrefix(href, "#") || strings.HasPrefix(href, "mailto:") {
		return ""
	}
	u, err := url.Parse(href)
	if err != nil {
		return ""
	}
	from, _ := url.Parse(page)
	u = from.ResolveReference(u)
	if u.Host != "" || strings.HasPrefix(u.Path, "/static/") || strings.HasPrefix(u.Path, "/auth/") || u.Path == "/logout" ||
		strings.Contains(u.RawQuery, "format=") || strings.HasSuffix(u.Path, ".csv") || strings.HasSuffix(u.Path, ".json") {
		return ""
	}
	u.Fragment = ""
	return u.String()
}
