// Package config reads Crossdock's configuration from CROSSDOCK_* environment
// variables and validates it, reporting every problem at once.
package config

import (
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Environments the console may be marked with.
const (
	EnvDevelopment = "development"
	EnvProduction  = "production"
)

// Config is the whole runtime configuration.
type Config struct {
	Env      string
	HTTPAddr string
	BaseURL  string

	DatabaseURL string
	RedisURL    string

	OIDC OIDC

	DevLogin bool

	SessionIdleTimeout time.Duration
	SessionMaxAge      time.Duration

	WorkerConcurrency int

	// NoticeOffsets are the days before a sunset at which deprecation
	// notices are sent; NoticeWebhooks receive them as JSON POSTs.
	NoticeOffsets  []int
	NoticeWebhooks []string

	LogLevel  string
	LogFormat string
}

// OIDC holds the identity provider settings.
type OIDC struct {
	Issuer       string
	ClientID     string
	ClientSecret string
	RedirectURL  string
	Scopes       []string
	RoleClaim    string
	// RoleMap maps a claim value (for example an IdP group) to a Crossdock role.
	RoleMap map[string]string
}

// Enabled reports whether an OIDC issuer is configured.
func (o OIDC) Enabled() bool { return o.Issuer != "" }

// Var documents one environment variable; Vars is the single list the README
// table is written from.
type Var struct {
	Name, Default, Help string
}

// Vars lists every setting with its default.
var Vars = []Var{
	{"CROSSDOCK_ENV", EnvDevelopment, "`development` or `production`. Production refuses the development login."},
	{"CROSSDOCK_HTTP_ADDR", ":8080", "Address the web console listens on."},
	{"CROSSDOCK_BASE_URL", "http://localhost:8080", "External URL of the console; `https://` turns on Secure cookies."},
	{"CROSSDOCK_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/crossdock?sslmode=disable", "PostgreSQL connection URL."},
	{"CROSSDOCK_REDIS_URL", "redis://127.0.0.1:6379/0", "Redis URL used by asynq."},
	{"CROSSDOCK_OIDC_ISSUER", "", "OIDC issuer URL. Empty disables OIDC login."},
	{"CROSSDOCK_OIDC_CLIENT_ID", "", "OIDC client id (required with an issuer)."},
	{"CROSSDOCK_OIDC_CLIENT_SECRET", "", "OIDC client secret (required with an issuer)."},
	{"CROSSDOCK_OIDC_REDIRECT_URL", "BASE_URL/auth/callback", "Redirect URL registered at the provider."},
	{"CROSSDOCK_OIDC_SCOPES", "openid,profile,email,groups", "Scopes requested at login."},
	{"CROSSDOCK_OIDC_ROLE_CLAIM", "groups", "ID token claim holding the person's groups or roles."},
	{"CROSSDOCK_OIDC_ROLE_MAP", "crossdock-admins=admin,crossdock-integration-managers=integration_manager,crossdock-business-users=business_user,crossdock-auditors=auditor", "Claim value = Crossdock role, comma separated. The most privileged match wins."},
	{"CROSSDOCK_DEV_LOGIN", "false", "Development login (pick a demo user). Refused with an OIDC issuer or in production."},
	{"CROSSDOCK_SESSION_IDLE_TIMEOUT", "30m", "Session ends after this long without a request."},
	{"CROSSDOCK_SESSION_MAX_AGE", "12h", "Session ends this long after login, whatever the activity."},
	{"CROSSDOCK_WORKER_CONCURRENCY", "10", "asynq worker concurrency per process."},
	{"CROSSDOCK_NOTICE_OFFSETS", "90,30,7,1", "Days before a sunset at which deprecation notices are recorded and sent."},
	{"CROSSDOCK_NOTICE_WEBHOOKS", "", "Comma-separated URLs that receive deprecation notices as JSON POSTs (retried until delivered)."},
	{"CROSSDOCK_LOG_LEVEL", "info", "debug, info, warn or error."},
	{"CROSSDOCK_LOG_FORMAT", "text", "text or json."},
}

// Roles a claim value may map to.
var validRoles = map[string]bool{"admin": true, "integration_manager": true, "business_user": true, "auditor": true}

// Load reads the configuration through getenv (os.Getenv in production, a map
// in tests). The returned error lists every problem, one per line.
func Load(getenv func(string) string) (Config, error) {
	get := func(name string) string {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
		for _, v := range Vars {
			if v.Name == name {
				return v.Default
			}
		}
		return ""
	}
	var problems []string
	fail := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	c := Config{
		Env:         get("CROSSDOCK_ENV"),
		HTTPAddr:    get("CROSSDOCK_HTTP_ADDR"),
		BaseURL:     strings.TrimRight(get("CROSSDOCK_BASE_URL"), "/"),
		DatabaseURL: get("CROSSDOCK_DATABASE_URL"),
		RedisURL:    get("CROSSDOCK_REDIS_URL"),
		LogLevel:    get("CROSSDOCK_LOG_LEVEL"),
		LogFormat:   get("CROSSDOCK_LOG_FORMAT"),
	}
	if c.Env != EnvDevelopment && c.Env != EnvProduction {
		fail("CROSSDOCK_ENV must be %q or %q, got %q", EnvDevelopment, EnvProduction, c.Env)
	}
	if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		fail("CROSSDOCK_BASE_URL must be an absolute http(s) URL, got %q", c.BaseURL)
	}
	if u, err := url.Parse(c.DatabaseURL); err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		fail("CROSSDOCK_DATABASE_URL must be a postgres:// URL, got %q", c.DatabaseURL)
	}
	if u, err := url.Parse(c.RedisURL); err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") {
		fail("CROSSDOCK_REDIS_URL must be a redis:// URL, got %q", c.RedisURL)
	}

	var err error
	if c.DevLogin, err = strconv.ParseBool(get("CROSSDOCK_DEV_LOGIN")); err != nil {
		fail("CROSSDOCK_DEV_LOGIN must be true or false, got %q", get("CROSSDOCK_DEV_LOGIN"))
	}
	duration := func(name string) time.Duration {
		d, err := time.ParseDuration(get(name))
		if err != nil || d <= 0 {
			fail("%s must be a positive duration such as 30m, got %q", name, get(name))
		}
		return d
	}
	c.SessionIdleTimeout = duration("CROSSDOCK_SESSION_IDLE_TIMEOUT")
	c.SessionMaxAge = duration("CROSSDOCK_SESSION_MAX_AGE")
	if n, err := strconv.Atoi(get("CROSSDOCK_WORKER_CONCURRENCY")); err != nil || n < 1 {
		fail("CROSSDOCK_WORKER_CONCURRENCY must be a positive integer, got %q", get("CROSSDOCK_WORKER_CONCURRENCY"))
	} else {
		c.WorkerConcurrency = n
	}
	for _, o := range splitList(get("CROSSDOCK_NOTICE_OFFSETS")) {
		n, err := strconv.Atoi(o)
		if err != nil || n < 0 || n > 3650 {
			fail("CROSSDOCK_NOTICE_OFFSETS must be whole days between 0 and 3650, got %q", o)
			continue
		}
		c.NoticeOffsets = append(c.NoticeOffsets, n)
	}
	for _, w := range splitList(get("CROSSDOCK_NOTICE_WEBHOOKS")) {
		if u, err := url.Parse(w); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			fail("CROSSDOCK_NOTICE_WEBHOOKS: %q is not an http(s) URL", w)
			continue
		}
		c.NoticeWebhooks = append(c.NoticeWebhooks, w)
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		fail("CROSSDOCK_LOG_LEVEL must be debug, info, warn or error, got %q", c.LogLevel)
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		fail("CROSSDOCK_LOG_FORMAT must be text or json, got %q", c.LogFormat)
	}

	c.OIDC = OIDC{
		Issuer:       get("CROSSDOCK_OIDC_ISSUER"),
		ClientID:     get("CROSSDOCK_OIDC_CLIENT_ID"),
		ClientSecret: get("CROSSDOCK_OIDC_CLIENT_SECRET"),
		RedirectURL:  getenv("CROSSDOCK_OIDC_REDIRECT_URL"),
		Scopes:       splitList(get("CROSSDOCK_OIDC_SCOPES")),
		RoleClaim:    get("CROSSDOCK_OIDC_ROLE_CLAIM"),
	}
	if c.OIDC.RedirectURL == "" {
		c.OIDC.RedirectURL = c.BaseURL + "/auth/callback"
	}
	if c.OIDC.RoleMap, err = ParseRoleMap(get("CROSSDOCK_OIDC_ROLE_MAP")); err != nil {
		fail("CROSSDOCK_OIDC_ROLE_MAP: %v", err)
	}
	if c.OIDC.Enabled() {
		if u, err := url.Parse(c.OIDC.Issuer); err != nil || u.Host == "" {
			fail("CROSSDOCK_OIDC_ISSUER must be an absolute URL, got %q", c.OIDC.Issuer)
		}
		if c.OIDC.ClientID == "" {
			fail("CROSSDOCK_OIDC_CLIENT_ID is required when CROSSDOCK_OIDC_ISSUER is set")
		}
		if c.OIDC.ClientSecret == "" {
			fail("CROSSDOCK_OIDC_CLIENT_SECRET is required when CROSSDOCK_OIDC_ISSUER is set")
		}
	}

	if c.DevLogin && c.OIDC.Enabled() {
		fail("CROSSDOCK_DEV_LOGIN=true is refused while CROSSDOCK_OIDC_ISSUER is set: use one login method")
	}
	if c.DevLogin && c.Env == EnvProduction {
		fail("CROSSDOCK_DEV_LOGIN=true is refused when CROSSDOCK_ENV=production")
	}
	if len(problems) > 0 {
		return c, &Error{Problems: problems}
	}
	return c, nil
}

// RequireLogin reports a problem when the console would have no way to sign
// in; commands that serve the console call it, migrations and seeds do not.
func (c Config) RequireLogin() error {
	if !c.DevLogin && !c.OIDC.Enabled() {
		return &Error{Problems: []string{"no login method: set CROSSDOCK_OIDC_ISSUER (with client id and secret) or, for development only, CROSSDOCK_DEV_LOGIN=true"}}
	}
	return nil
}

// Error lists every configuration problem found.
type Error struct{ Problems []string }

func (e *Error) Error() string {
	return "invalid configuration:\n  - " + strings.Join(e.Problems, "\n  - ")
}

// ParseRoleMap parses "group=role,group2=role2".
func ParseRoleMap(s string) (map[string]string, error) {
	m := map[string]string{}
	var errs []error
	for _, pair := range splitList(s) {
		k, v, ok := strings.Cut(pair, "=")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if !ok || k == "" {
			errs = append(errs, fmt.Errorf("%q is not claim=role", pair))
			continue
		}
		if !validRoles[v] {
			roles := make([]string, 0, len(validRoles))
			for r := range validRoles {
				roles = append(roles, r)
			}
			sort.Strings(roles)
			errs = append(errs, fmt.Errorf("%q maps to unknown role %q (known: %s)", k, v, strings.Join(roles, ", ")))
			continue
		}
		m[k] = v
	}
	return m, errors.Join(errs...)
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
