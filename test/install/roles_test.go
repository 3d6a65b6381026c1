package install

import (
	"strings"
	"testing"
)

// role is the name of the rendered ClusterRole whose name ends in suffix.
func role(t *testing.T, rendered, suffix string) string {
	t.Helper()
	for _, r := range objects(t, rendered, "ClusterRole") {
		if strings.HasSuffix(r.GetName(), suffix) {
			return r.GetName()
		}
	}
	t.Fatalf("no ClusterRole ending in %s", suffix)
	return ""
}

// checkRoles binds the chart's editor and viewer roles in ns, as a namespace
// admin would, and asks the API server what each may do, impersonating
// them: the editor runs queues and exports but creates no instance, which
// points the manager at endpoints and Secrets, and no Secret; the viewer
// only reads.
func checkRoles(t *testing.T, admin *kube, rendered, ns string) {
	t.Helper()
	for _, r := range []string{"admin", "editor", "viewer"} {
		admin.must("create", "rolebinding", r, "-n", ns, "--clusterrole="+role(t, rendered, "-"+r), "--user="+r)
	}
	may := map[string][]string{
		"admin": {"create shopifyinstances", "patch shopifyinstances", "delete shopifyinstances", "create orderqueues"},
		"editor": {"create orderqueues", "create importqueues", "create productexports", "create payoutreports",
			"delete orderqueues", "get shopifyinstances", "list orderqueues"},
		"viewer": {"get shopifyinstances", "list orderqueues", "watch productexports", "get payoutreports", "get importqueues",
			"get shopifyinstances/status"},
	}
	mayNot := map[string][]string{
		"admin": {"get secrets", "create secrets", "patch shopifyinstances/status"},
		"editor": {"create shopifyinstances", "patch shopifyinstances", "delete shopifyinstances", "create secrets", "get secrets",
			"patch secrets", "patch orderqueues/status"},
		"viewer": {"create orderqueues", "patch shopifyinstances", "delete productexports", "patch orderqueues/status", "get secrets",
			"create shopifyinstances"},
	}
	canI := func(user, check string) (string, error) {
		verb, resource, _ := strings.Cut(check, " ")
		resource, sub, _ := strings.Cut(resource, "/")
		if resource != "secrets" {
			resource += ".connector.shopify-odoo.dev"
		}
		return admin.run("auth", "can-i", verb, resource, "--subresource="+sub, "-n", ns, "--as="+user)
	}
	for user, checks := range may {
		for _, c := range checks {
			if out, err := canI(user, c); err != nil {
				t.Errorf("%s may not %s: %s", user, c, out)
			}
		}
	}
	for user, checks := range mayNot {
		for _, c := range checks {
			if out, err := canI(user, c); err == nil {
				t.Errorf("%s may %s: %s", user, c, out)
			}
		}
	}
	// What the API server does, not only what it says: the editor's queue
	// is created, her instance refused.
	queue := `{"apiVersion":"connector.shopify-odoo.dev/v1alpha1","kind":"OrderQueue","metadata":{"name":"editors"},` +
		`"spec":{"instanceRef":{"name":"demo"},"type":"unshipped","orderIDs":["1"]}}`
	inst := `{"apiVersion":"connector.shopify-odoo.dev/v1alpha1","kind":"ShopifyInstance","metadata":{"name":"editors"},` +
		`"spec":{"shopify":{"shop":"x.myshopify.com","endpoint":"http://evil.example","credentialsSecretRef":{"name":"demo-shopify"}},` +
		`"odoo":{"url":"http://evil.example","database":"d","credentialsSecretRef":{"name":"demo-odoo"}},"orders":{"shippingProduct":"S","workflows":[{"financialStatus":"any"}]}}}`
	if out, err := admin.runStdin(queue, "create", "--dry-run=server", "-n", ns, "--as=editor", "-f", "-"); err != nil {
		t.Errorf("the editor's queue: %v: %s", err, out)
	}
	if out, err := admin.runStdin(inst, "create", "--dry-run=server", "-n", ns, "--as=editor", "-f", "-"); err == nil || !strings.Contains(strings.ToLower(out), "forbidden") {
		t.Errorf("the editor's instance: want Forbidden, got %v: %s", err, out)
	}
}
