package web_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"gorm.io/gorm"

	"github.com/crossdock/crossdock/internal/app"
	"github.com/crossdock/crossdock/internal/audit"
	"github.com/crossdock/crossdock/internal/auth"
	"github.com/crossdock/crossdock/internal/config"
	"github.com/crossdock/crossdock/internal/store"
	"github.com/crossdock/crossdock/internal/testenv"
	"github.com/crossdock/crossdock/web"
)

// env is a running console against its own database and Redis index.
type env struct {
	t    testing.TB
	srv  *web.Server
	db   *gorm.DB
	cfg  config.Config
	auth *auth.Service
}

// newEnv builds the console; vars override the test defaults (dev login on).
func newEnv(t testing.TB, vars map[string]string) *env {
	t.Helper()
	db, dsn := testenv.DB(t)
	redisOpt, _ := testenv.Redis(t)
	base := map[string]string{
		"CROSSDOCK_DATABASE_URL": dsn,
		"CROSSDOCK_REDIS_URL":    fmt.Sprintf("redis://%s/%d", redisOpt.Addr, redisOpt.DB),
		"CROSSDOCK_DEV_LOGIN":    "true",
	}
	for k, v := range vars {
		base[k] = v
	}
	cfg, err := config.Load(func(k string) string { return base[k] })
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	svc := auth.NewService(db, cfg.SessionIdleTimeout, cfg.SessionMaxAge)
	srv, closeWeb, err := app.NewWeb(context.Background(), cfg, testenv.Logger(), db, svc)
	if err != nil {
		t.Fatalf("build web: %v", err)
	}
	t.Cleanup(closeWeb)
	e := &env{t: t, srv: srv, db: db, cfg: cfg, auth: svc}
	e.seedDemoUsers()
	return e
}

func (e *env) seedDemoUsers() {
	e.t.Helper()
	ctx := audit.WithActor(context.Background(), audit.Actor{ID: "system:test"})
	for _, d := range app.DemoUsers() {
		err := store.WithTx(ctx, e.db, func(tx *gorm.DB) error {
			_, err := e.auth.Provision(ctx, tx, d.Identity, d.Role)
			return err
		})
		if err != nil {
			e.t.Fatalf("seed: %v", err)
		}
	}
}

// client drives the Fiber app in-process (app.Test) with a cookie jar and
// without following redirects.
type client struct {
	e   *env
	jar http.CookieJar
}

func (e *env) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{e: e, jar: jar}
}

var base, _ = url.Parse("http://localhost:8080")

func (c *client) do(req *http.Request) *http.Response {
	c.e.t.Helper()
	if req.URL.Host == "" {
		req.URL = base.ResolveReference(req.URL)
	}
	for _, ck := range c.jar.Cookies(req.URL) {
		req.AddCookie(ck)
	}
	resp, err := c.e.srv.App.Test(req, -1)
	if err != nil {
		c.e.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	c.jar.SetCookies(req.URL, resp.Cookies())
	return resp
}

func (c *client) get(path string) *http.Response {
	c.e.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, path, nil)
	return c.do(req)
}

func (c *client) post(path string, form url.Values) *http.Response {
	c.e.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

var csrfMeta = regexp.MustCompile(`<meta name="csrf-token" content="([^"]+)"`)

// csrf fetches a page and returns its CSRF token.
func (c *client) csrf(path string) string {
	c.e.t.Helper()
	body := readBody(c.e.t, c.get(path))
	m := csrfMeta.FindStringSubmatch(body)
	if m == nil {
		c.e.t.Fatalf("no csrf token on %s", path)
	}
	return m[1]
}

// loginAs signs in through the development login as the demo user of role.
func (c *client) loginAs(role auth.Role) {
	c.e.t.Helper()
	var u auth.User
	if err := c.e.db.Where("issuer = ? AND role = ?", auth.DevIssuer, role).Take(&u).Error; err != nil {
		c.e.t.Fatalf("demo user for %s: %v", role, err)
	}
	token := c.csrf("/login")
	resp := c.post("/auth/dev-login", url.Values{"_csrf": {token}, "user_id": {fmt.Sprint(u.ID)}, "return_to": {"/"}})
	if resp.StatusCode != http.StatusSeeOther {
		c.e.t.Fatalf("dev login as %s: status %d: %s", role, resp.StatusCode, readBody(c.e.t, resp))
	}
}

func readBody(t testing.TB, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	return string(b)
}

func doc(t testing.TB, resp *http.Response) *goquery.Document {
	t.Helper()
	d, err := goquery.NewDocumentFromReader(strings.NewReader(readBody(t, resp)))
	if err != nil {
		t.Fatalf("parse html: %v", err)
	}
	return d
}
