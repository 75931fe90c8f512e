package config_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/crossdock/crossdock/internal/config"
)

func load(vars map[string]string) (config.Config, error) {
	return config.Load(func(k string) string { return vars[k] })
}

func TestDefaults(t *testing.T) {
	c, err := load(map[string]string{"CROSSDOCK_DEV_LOGIN": "true"})
	if err != nil {
		t.Fatal(err)
	}
	if c.HTTPAddr != ":8080" || c.Env != "development" || c.SessionIdleTimeout != 30*time.Minute || c.SessionMaxAge != 12*time.Hour {
		t.Errorf("defaults: %+v", c)
	}
	if c.OIDC.RoleClaim != "groups" || c.OIDC.RoleMap["crossdock-auditors"] != "auditor" || c.OIDC.RedirectURL != "http://localhost:8080/auth/callback" {
		t.Errorf("oidc defaults: %+v", c.OIDC)
	}
	if err := c.RequireLogin(); err != nil {
		t.Errorf("dev login counts as a login method: %v", err)
	}
}

// Every problem is reported, one per line, in words.
func TestProblems(t *testing.T) {
	cases := []struct {
		name string
		vars map[string]string
		want []string
	}{
		{"dev login with issuer", map[string]string{"CROSSDOCK_DEV_LOGIN": "true", "CROSSDOCK_OIDC_ISSUER": "https://id.example.com", "CROSSDOCK_OIDC_CLIENT_ID": "c", "CROSSDOCK_OIDC_CLIENT_SECRET": "s"},
			[]string{"CROSSDOCK_DEV_LOGIN=true is refused while CROSSDOCK_OIDC_ISSUER is set"}},
		{"dev login in production", map[string]string{"CROSSDOCK_DEV_LOGIN": "true", "CROSSDOCK_ENV": "production"},
			[]string{"refused when CROSSDOCK_ENV=production"}},
		{"issuer without client", map[string]string{"CROSSDOCK_OIDC_ISSUER": "https://id.example.com"},
			[]string{"CROSSDOCK_OIDC_CLIENT_ID is required", "CROSSDOCK_OIDC_CLIENT_SECRET is required"}},
		{"several bad values", map[string]string{"CROSSDOCK_ENV": "staging", "CROSSDOCK_DATABASE_URL": "mysql://x", "CROSSDOCK_SESSION_IDLE_TIMEOUT": "soon", "CROSSDOCK_DEV_LOGIN": "yes please", "CROSSDOCK_WORKER_CONCURRENCY": "0"},
			[]string{"CROSSDOCK_ENV must be", "CROSSDOCK_DATABASE_URL must be a postgres:// URL", "CROSSDOCK_SESSION_IDLE_TIMEOUT must be a positive duration", "CROSSDOCK_DEV_LOGIN must be true or false", "CROSSDOCK_WORKER_CONCURRENCY must be a positive integer"}},
		{"bad role map", map[string]string{"CROSSDOCK_DEV_LOGIN": "true", "CROSSDOCK_OIDC_ROLE_MAP": "ops=superuser,broken"},
			[]string{`"ops" maps to unknown role "superuser"`, `"broken" is not claim=role`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := load(tc.vars)
			var ce *config.Error
			if !errors.As(err, &ce) {
				t.Fatalf("got %v, want a config error", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("missing %q in:\n%v", w, err)
				}
			}
		})
	}
}

func TestRequireLogin(t *testing.T) {
	c, err := load(map[string]string{})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.RequireLogin(); err == nil || !strings.Contains(err.Error(), "no login method") {
		t.Errorf("got %v, want no login method", err)
	}
}
