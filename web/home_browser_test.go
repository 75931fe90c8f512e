package web_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/crossdock/crossdock/internal/auth"
	"github.com/crossdock/crossdock/internal/partner"
)

// TestBrowserHomeAttention looks at the home page with something needing
// attention in every card (more onboarding partners than the card lists,
// long names), as the integration manager and the business user, and
// saves a screenshot of each. TestHomeNeedsAttention checks behaviour.
func TestBrowserHomeAttention(t *testing.T) {
	st, e := startConsoleEnv(t)
	seedAttention(t, e, e.signIn(auth.RoleIntegrationManager))
	for i, name := range []string{"Northwind Home & Garden Wholesale (Benelux) B.V.", "Umbrella Pharmacy Logistics", "Tyrell Consumer Electronics"} {
		seedPartner(t, e, fmt.Sprintf("EXTRA%d", i), name, partner.StatusDraft, i == 0)
	}
	browser := startBrowser(t)
	shots := artifactsDir(t)
	for _, role := range []auth.Role{auth.RoleIntegrationManager, auth.RoleBusinessUser} {
		ctx, console := newTab(t, browser)
		if err := chromedp.Do(ctx, chromedp.Navigate(st.url("/login"))); err != nil {
			t.Fatalf("open sign-in: %v", err)
		}
		if _, err := chromedp.RunResponse(ctx, chromedp.Click(testID("dev-login-"+string(role)))); err != nil {
			t.Fatalf("sign in as %s: %v", role, err)
		}
		if err := chromedp.Do(ctx, chromedp.WaitVisible(testID("needs-attention"))); err != nil {
			t.Fatalf("%s: needs-attention not visible: %v", role, err)
		}
		if err := screenshot(ctx, shots, "home-attention-"+string(role)+".png"); err != nil {
			t.Fatal(err)
		}
		if role == auth.RoleIntegrationManager { // the role's permissions, unfolded
			if err := chromedp.Do(ctx, chromedp.Click(`[data-testid="capabilities"] > summary`), chromedp.WaitVisible(`[data-testid="capabilities"] li`),
				chromedp.ScrollIntoView(testID("home-title"))); err != nil { // sticky parts stay put in a full-page shot

				t.Fatalf("open capabilities: %v", err)
			}
			if err := screenshot(ctx, shots, "home-attention-capabilities-open.png"); err != nil {
				t.Fatal(err)
			}
		}
		if msgs := console.stop(); len(msgs) > 0 {
			t.Errorf("%s: the browser console reported:\n%s", role, strings.Join(msgs, "\n"))
		}
	}
}
