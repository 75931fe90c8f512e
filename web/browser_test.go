package web_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/crossdock/crossdock/internal/auth"
)

// The browser tests drive the real console in headless Chromium: they sign
// in through the development login as each demo user, look at what the
// role sees, take screenshots for people to review, and sign out.

const (
	chromiumPath   = "/usr/bin/chromium"
	browserTimeout = 30 * time.Second
)

// roleView is what one role must see in the console.
type roleView struct {
	role  auth.Role
	label string
	nav   []string // data-testid of every link in the sidebar, sorted
}

var roleViews = []roleView{
	{auth.RoleAdmin, "Admin", []string{"nav-audit", "nav-catalog", "nav-home", "nav-key", "nav-partners", "nav-policies", "nav-schedule", "nav-teams", "nav-templates", "nav-users"}},
	{auth.RoleIntegrationManager, "Integration manager", []string{"nav-audit", "nav-catalog", "nav-home", "nav-partners", "nav-policies", "nav-schedule", "nav-teams", "nav-templates"}},
	{auth.RoleBusinessUser, "Business user", []string{"nav-catalog", "nav-home", "nav-partners", "nav-policies", "nav-schedule", "nav-teams", "nav-templates"}},
	{auth.RoleAuditor, "Auditor", []string{"nav-audit", "nav-catalog", "nav-home", "nav-key", "nav-partners", "nav-policies", "nav-schedule", "nav-teams", "nav-templates", "nav-users"}},
}

func TestBrowserDevLoginPerRole(t *testing.T) {
	site := startConsole(t)
	browser := startBrowser(t)
	shots := artifactsDir(t)

	for _, rv := range roleViews {
		t.Run(string(rv.role), func(t *testing.T) {
			role := string(rv.role)
			ctx, console := newTab(t, browser)
			// fail names the role and the step, so a red run says where it broke.
			fail := func(step string, err error) {
				t.Helper()
				t.Fatalf("role %s: step %s: %v", role, step, err)
			}

			// 1. An anonymous visit to / lands on the sign-in page with the dev banner.
			step := "1 (open / while signed out)"
			if err := chromedp.Do(ctx, chromedp.Navigate(site.url("/"))); err != nil {
				fail(step, err)
			}
			if err := wantPath(ctx, "/login"); err != nil {
				fail(step, err)
			}
			if err := chromedp.Do(ctx, chromedp.WaitVisible(testID("dev-banner"))); err != nil {
				fail(step+": dev-login banner", err)
			}
			if rv.role == auth.RoleAdmin { // the sign-in page is the same for everyone
				if err := screenshot(ctx, shots, "login.png"); err != nil {
					fail(step+": screenshot", err)
				}
			}

			// 2. Choose this role's demo user.
			step = "2 (click dev-login-" + role + ")"
			resp, err := chromedp.RunResponse(ctx, chromedp.Click(testID("dev-login-"+role)))
			if err != nil {
				fail(step, err)
			}
			if resp == nil || resp.Status != 200 {
				fail(step, fmt.Errorf("home page answered %s, want 200", status(resp)))
			}

			// 3. The home page greets the person with their role.
			step = "3 (home page)"
			if err := wantPath(ctx, "/"); err != nil {
				fail(step, err)
			}
			if err := chromedp.Do(ctx, chromedp.WaitVisible(testID("home-title"))); err != nil {
				fail(step+": home-title", err)
			}
			got, err := chromedp.Run(ctx, chromedp.Text(testID("user-role")))
			if err != nil {
				fail(step+": user-role", err)
			}
			if got = strings.TrimSpace(got); got != rv.label {
				fail(step, fmt.Errorf("user-role shows %q, want %q", got, rv.label))
			}

			// 4. The sidebar shows exactly the sections of the role.
			step = "4 (navigation)"
			nav, err := navLinks(ctx)
			if err != nil {
				fail(step, err)
			}
			if !slices.Equal(nav, rv.nav) {
				fail(step, fmt.Errorf("sidebar links %v, want %v", nav, rv.nav))
			}
			if err := wantCurrent(ctx, "nav-home"); err != nil {
				fail(step, err)
			}

			// 5. Screenshot of the home page.
			step = "5 (home screenshot)"
			if err := screenshot(ctx, shots, "home-"+role+".png"); err != nil {
				fail(step, err)
			}

			// 6. The audit log for roles that have it, the users page for admin;
			// both reached through the sidebar, as a person would.
			if slices.Contains(rv.nav, "nav-audit") {
				step = "6 (audit log)"
				if err := openFromNav(ctx, "nav-audit", "/audit", "audit-filters"); err != nil {
					fail(step, err)
				}
				if err := screenshot(ctx, shots, "audit-"+role+".png"); err != nil {
					fail(step+": screenshot", err)
				}
			}
			if rv.role == auth.RoleAdmin {
				step = "6 (users and roles)"
				if err := openFromNav(ctx, "nav-users", "/admin/users", "users-table"); err != nil {
					fail(step, err)
				}
				if err := screenshot(ctx, shots, "admin-users.png"); err != nil {
					fail(step+": screenshot", err)
				}
			}

			// 7. Sign out: back on the sign-in page, and / asks for sign-in again.
			step = "7 (sign out)"
			resp, err = chromedp.RunResponse(ctx, chromedp.Click(testID("logout")))
			if err != nil {
				fail(step, err)
			}
			if resp == nil || resp.Status != 200 {
				fail(step, fmt.Errorf("page after sign-out answered %s, want 200", status(resp)))
			}
			if err := wantPath(ctx, "/login"); err != nil {
				fail(step, err)
			}
			if err := chromedp.Do(ctx, chromedp.WaitVisible(testID("dev-login-"+role))); err != nil {
				fail(step+": sign-in page", err)
			}
			if err := chromedp.Do(ctx, chromedp.Navigate(site.url("/"))); err != nil {
				fail(step+": open / again", err)
			}
			if err := wantPath(ctx, "/login"); err != nil {
				fail(step+": session still alive", err)
			}

			if msgs := console.stop(); len(msgs) > 0 {
				t.Errorf("role %s: the browser console reported:\n%s", role, strings.Join(msgs, "\n"))
			}
		})
	}
}

// TestBrowserForbiddenPageInShell checks that a business user who types an
// admin address gets the 403 page inside the console's frame, not a bare
// error or a redirect to sign-in.
func TestBrowserForbiddenPageInShell(t *testing.T) {
	site := startConsole(t)
	browser := startBrowser(t)
	shots := artifactsDir(t)
	ctx, console := newTab(t, browser)
	fail := func(step string, err error) {
		t.Helper()
		t.Fatalf("role business_user: step %s: %v", step, err)
	}

	step := "sign in"
	if err := chromedp.Do(ctx, chromedp.Navigate(site.url("/login"))); err != nil {
		fail(step, err)
	}
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(testID("dev-login-business_user"))); err != nil {
		fail(step, err)
	}
	if err := chromedp.Do(ctx, chromedp.WaitVisible(testID("home-title"))); err != nil {
		fail(step, err)
	}

	step = "type /admin/users in the address bar"
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(site.url("/admin/users")))
	if err != nil {
		fail(step, err)
	}
	if resp == nil || resp.Status != 403 {
		fail(step, fmt.Errorf("/admin/users answered %s, want 403", status(resp)))
	}
	if err := wantPath(ctx, "/admin/users"); err != nil {
		fail(step, err)
	}

	step = "403 page"
	if err := chromedp.Do(ctx, chromedp.WaitVisible(testID("error-page"))); err != nil {
		fail(step, err)
	}
	code, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`[data-testid="error-page"] .errcode`)))
	if err != nil {
		fail(step+": status text", err)
	}
	if !strings.Contains(code, "403") {
		fail(step, fmt.Errorf("status text %q does not contain 403", code))
	}
	if err := chromedp.Do(ctx, chromedp.WaitNotPresent(testID("users-table"))); err != nil {
		fail(step+": users table leaked", err)
	}

	step = "console frame"
	// The page is in the shell: the sidebar with the person's own sections
	// and their role, and the sign-out button.
	nav, err := navLinks(ctx)
	if err != nil {
		fail(step, err)
	}
	if want := []string{"nav-catalog", "nav-home", "nav-partners", "nav-policies", "nav-schedule", "nav-teams", "nav-templates"}; !slices.Equal(nav, want) {
		fail(step, fmt.Errorf("sidebar links %v, want %v", nav, want))
	}
	role, err := chromedp.Run(ctx, chromedp.Text(testID("user-role")))
	if err != nil {
		fail(step+": user-role", err)
	}
	if strings.TrimSpace(role) != "Business user" {
		fail(step, fmt.Errorf("user-role shows %q, want %q", role, "Business user"))
	}
	if err := chromedp.Do(ctx, chromedp.WaitVisible(testID("logout"))); err != nil {
		fail(step+": sign-out button", err)
	}
	if err := screenshot(ctx, shots, "forbidden-business_user.png"); err != nil {
		fail(step+": screenshot", err)
	}

	var msgs []string
	for _, m := range console.stop() {
		// The browser logs the 403 of the document itself; that is the point.
		if strings.Contains(m, "status of 403") {
			continue
		}
		msgs = append(msgs, m)
	}
	if len(msgs) > 0 {
		t.Errorf("the browser console reported:\n%s", strings.Join(msgs, "\n"))
	}
}

// site is the console served on a real port.
type site struct{ base string }

func (s site) url(path string) string { return s.base + path }

// startConsole serves a fresh console on 127.0.0.1. Its base URL is the
// listener's address, so the CSRF origin check accepts the browser's posts.
func startConsole(t *testing.T) site {
	t.Helper()
	st, _ := startConsoleEnv(t)
	return st
}

// startConsoleEnv is startConsole that also returns the console's env
// (its database and configuration), for tests that seed or run workers.
func startConsoleEnv(t *testing.T) (site, *env) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	base := "http://" + ln.Addr().String()
	e := newEnv(t, map[string]string{"CROSSDOCK_BASE_URL": base})
	served := make(chan error, 1)
	go func() { served <- e.srv.App.Listener(ln) }()
	t.Cleanup(func() {
		if err := e.srv.App.ShutdownWithTimeout(10 * time.Second); err != nil {
			t.Errorf("shut down the console: %v", err)
		}
		if err := <-served; err != nil {
			t.Errorf("serve the console: %v", err)
		}
	})
	// Wait until the console answers: a shutdown that ran before Fiber
	// started serving would leave Listener serving forever.
	waitServing(t, base)
	return site{base: base}, e
}

// waitServing polls the console's liveness endpoint until it answers.
func waitServing(t *testing.T, base string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the console at %s did not answer: %v", base, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// startBrowser starts one headless Chromium for the test and returns a
// context that holds it; every tab is a child of it.
func startBrowser(t *testing.T) context.Context {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Fatalf("no Chromium at %s (%v); install it: apt-get install chromium", chromiumPath, err)
	}
	// Chromium's own output, shown only when it fails to start.
	var out lockedBuffer
	profile := t.TempDir() // removed after the browser stops: cleanups run last-in first-out
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1366, 900),
		// The machine's network is closed: no background connections.
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-features", "Translate,OptimizationHints,MediaRouter"),
		chromedp.Flag("force-color-profile", "srgb"),
		chromedp.Flag("password-store", "basic"),
		chromedp.Flag("use-mock-keychain", true),
		chromedp.CombinedOutput(&out),
	)
	browserCtx, cancelBrowser := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancelBrowser()
		cancelAlloc()
	})
	// Start the browser with a bounded wait, on a context that has no
	// timeout itself (the first Run binds the browser's life to its context).
	started := make(chan error, 1)
	go func() { started <- chromedp.Do(browserCtx) }()
	select {
	case err := <-started:
		if err != nil {
			t.Fatalf("start Chromium: %v\n%s\n(hint: apt-get install chromium)", err, out.String())
		}
	case <-time.After(browserTimeout):
		t.Fatalf("Chromium did not start within %s\n%s", browserTimeout, out.String())
	}
	return browserCtx
}

// newTab opens a tab in a new browser context (its own cookies, like an
// incognito window) with a bounded life, and records the console's errors.
func newTab(t *testing.T, browser context.Context) (context.Context, *consoleLog) {
	t.Helper()
	tctx, cancelTimeout := context.WithTimeout(browser, browserTimeout)
	ctx, cancelTab := chromedp.NewContext(tctx, chromedp.WithNewBrowserContext())
	cl := &consoleLog{done: make(chan struct{})}
	t.Cleanup(func() {
		cancelTab()
		cancelTimeout()
		cl.stop()
	})
	// The viewport is exactly the window size, so screenshots are 1366 wide
	// and laid out for a 900 px high screen.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1366, 900)); err != nil {
		close(cl.done)
		t.Fatalf("open a tab: %v", err)
	}
	cl.listen(ctx)
	return ctx, cl
}

// consoleLog keeps the errors and exceptions the page reports.
type consoleLog struct {
	mu     sync.Mutex
	msgs   []string
	done   chan struct{}
	cancel context.CancelFunc
	once   sync.Once
}

func (cl *consoleLog) listen(ctx context.Context) {
	lctx, cancel := context.WithCancel(ctx)
	cl.cancel = cancel
	msgs := chromedp.Console(lctx)
	go func() {
		defer close(cl.done)
		for m, err := range msgs {
			if err != nil {
				return
			}
			if m.IsException() || m.Type == chromedp.ConsoleError {
				cl.mu.Lock()
				cl.msgs = append(cl.msgs, fmt.Sprintf("  %s: %s", m.URL, m.Text))
				cl.mu.Unlock()
			}
		}
	}()
}

// stop ends the recording and returns what was recorded.
func (cl *consoleLog) stop() []string {
	cl.once.Do(func() {
		if cl.cancel != nil {
			cl.cancel()
		}
		<-cl.done
	})
	cl.mu.Lock()
	defer cl.mu.Unlock()
	return slices.Clone(cl.msgs)
}

// testID selects the element with the data-testid.
func testID(id string) chromedp.CSS {
	return chromedp.CSS(fmt.Sprintf("[data-testid=%q]", id))
}

// wantPath checks the path of the page the tab shows.
func wantPath(ctx context.Context, want string) error {
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		return fmt.Errorf("read the location: %w", err)
	}
	u, err := url.Parse(loc)
	if err != nil {
		return fmt.Errorf("parse the location %q: %w", loc, err)
	}
	if u.Path != want {
		return fmt.Errorf("the browser is at %s, want path %s", loc, want)
	}
	return nil
}

// navLinks returns the data-testid of every link in the sidebar, sorted.
func navLinks(ctx context.Context) ([]string, error) {
	attrs, err := chromedp.Run(ctx, chromedp.AttributesAll(chromedp.CSSAll(`[data-testid="nav"] a`)))
	if err != nil {
		return nil, fmt.Errorf("read the sidebar links: %w", err)
	}
	var ids []string
	for _, a := range attrs {
		ids = append(ids, a["data-testid"])
	}
	slices.Sort(ids)
	return ids, nil
}

// wantCurrent checks that the sidebar marks link as the current page.
func wantCurrent(ctx context.Context, link string) error {
	cur, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(`[data-testid="nav"] a[aria-current="page"]`), "data-testid"))
	if err != nil {
		return fmt.Errorf("read the current sidebar link: %w", err)
	}
	if cur.Value != link {
		return fmt.Errorf("the sidebar marks %q as current, want %q", cur.Value, link)
	}
	return nil
}

// openFromNav clicks a sidebar link and checks the page it opens.
func openFromNav(ctx context.Context, link, path, marker string) error {
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(testID(link)))
	if err != nil {
		return fmt.Errorf("click %s: %w", link, err)
	}
	if resp == nil || resp.Status != 200 {
		return fmt.Errorf("%s answered %s, want 200", path, status(resp))
	}
	if err := wantPath(ctx, path); err != nil {
		return err
	}
	if err := chromedp.Do(ctx, chromedp.WaitVisible(testID(marker))); err != nil {
		return fmt.Errorf("%s on %s: %w", marker, path, err)
	}
	return wantCurrent(ctx, link)
}

// screenshot saves a PNG of the whole page.
func screenshot(ctx context.Context, dir, name string) error {
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		return fmt.Errorf("capture %s: %w", name, err)
	}
	if !bytes.HasPrefix(png, []byte("\x89PNG")) {
		return errors.New("capture " + name + ": not a PNG")
	}
	return os.WriteFile(filepath.Join(dir, name), png, 0o644)
}

// artifactsDir is $CROSSDOCK_ARTIFACTS, or artifacts/screenshots at the
// repository root (the directory with go.mod above the test's directory).
func artifactsDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("CROSSDOCK_ARTIFACTS")
	if dir == "" {
		wd, err := os.Getwd()
		if err != nil {
			t.Fatalf("working directory: %v", err)
		}
		root := wd
		for {
			if _, err := os.Stat(filepath.Join(root, "go.mod")); err == nil {
				break
			}
			parent := filepath.Dir(root)
			if parent == root {
				t.Fatalf("no go.mod above %s", wd)
			}
			root = parent
		}
		dir = filepath.Join(root, "artifacts", "screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("artifacts dir: %v", err)
	}
	return dir
}

// status describes the response for a failure message.
func status(resp *network.Response) string {
	if resp == nil {
		return "no document response"
	}
	return fmt.Sprintf("%d %s", resp.Status, resp.StatusText)
}

// lockedBuffer collects Chromium's output from its own goroutine.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
