package instance

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/importer"
	"github.com/shopify-odoo/connector/internal/metrics"
	"github.com/shopify-odoo/connector/internal/odoo"
	"github.com/shopify-odoo/connector/internal/shopify"
)

// Reasons of problems found before either end is called.
const (
	// ReasonCredentialsUnusable is one reason, with one message, for a
	// Secret that is missing, not labelled or lacks a key: the status must
	// not tell someone who cannot read Secrets which of these it is.
	ReasonCredentialsUnusable = "CredentialsUnusable"
	ReasonEndpointNotAllowed  = "EndpointNotAllowed"
)

// Conn is one instance's clients and what checking them found.
type Conn struct {
	Shopify *shopify.Client
	Odoo    *odoo.Client
	Cache   *importer.Cache // outlives the clients: named Odoo records rarely change

	Shop           shopify.Shop
	Info           Odoo
	ShopifyProblem *Problem
	OdooProblem    *Problem

	key      string // hash of what the clients are built from
	gen      int64
	checked  time.Time
	withheld *withheld
}

// OK says both ends passed their check.
func (c *Conn) OK() bool { return c.ShopifyProblem == nil && c.OdooProblem == nil }

// Lacks is the problem of a feature whose access scopes the app lacks, or nil.
func (c *Conn) Lacks(f shopify.Feature) *Problem { return Lacks(c.Shop.AccessScopes, f) }

// Withheld is the protected customer data ("name", "email", "phone",
// "address") Shopify withheld from the app's reads since the credentials
// last changed or a check was forced.
func (c *Conn) Withheld() []string {
	if c.withheld == nil {
		return nil
	}
	c.withheld.mu.Lock()
	defer c.withheld.mu.Unlock()
	return slices.Clone(c.withheld.contents)
}

// withheld outlives the clients of a Conn, rebuilt at every check.
type withheld struct {
	mu       sync.Mutex
	contents []string
}

func (w *withheld) add(contents []string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.contents = append(w.contents, contents...)
	slices.Sort(w.contents)
	w.contents = slices.Compact(w.contents)
}

// CheckedAt is when both ends were last checked.
func (c *Conn) CheckedAt() time.Time { return c.checked }

// Pool keeps the checked clients of every instance, so that queues reuse
// connected clients.
type Pool struct {
	reader client.Reader
	maxAge time.Duration
	// AllowEndpoint lets spec.shopify.endpoint replace https://<shop>: a
	// hook for simulators and tests, not for tenants.
	AllowEndpoint bool

	mu    sync.Mutex
	conns map[types.NamespacedName]*Conn
}

// NewPool reads Secrets with reader (the manager's cache of labelled
// Secrets) and checks both ends again when a check
// is older than maxAge.
func NewPool(reader client.Reader, maxAge time.Duration) *Pool {
	return &Pool{reader: reader, maxAge: maxAge, conns: map[types.NamespacedName]*Conn{}}
}

// Get returns the instance's clients when their last check passed.
func (p *Pool) Get(key types.NamespacedName) *Conn {
	p.mu.Lock()
	defer p.mu.Unlock()
	if c := p.conns[key]; c != nil && c.OK() {
		return c
	}
	return nil
}

// Forget drops a deleted instance's clients.
func (p *Pool) Forget(key types.NamespacedName) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.conns, key)
}

// Check reads the instance's credentials and checks both ends. The last
// result is reused while the endpoints, credentials and generation are the
// same, it is younger than maxAge, it found no passing problem and force is
// not set. A check always builds new clients: Connect must not run on a
// client another queue is using. The error is for a Secret that could not
// be read for another reason than its absence.
func (p *Pool) Check(ctx context.Context, inst *v1.ShopifyInstance, force bool) (*Conn, error) {
	nn := client.ObjectKeyFromObject(inst)
	if inst.Spec.Shopify.Endpoint != "" && !p.AllowEndpoint {
		c := &Conn{ShopifyProblem: &Problem{ReasonEndpointNotAllowed, "spec.shopify.endpoint is set, which this manager refuses " +
			"(it runs without --allow-endpoint-override): leave it empty to call https://" + inst.Spec.Shopify.Shop, true}}
		p.store(nn, c)
		return c, nil
	}
	creds, err := p.credentials(ctx, inst)
	if err != nil {
		return nil, err
	}
	if creds.shopify != nil || creds.odoo != nil {
		c := &Conn{ShopifyProblem: creds.shopify, OdooProblem: creds.odoo}
		p.store(nn, c)
		return c, nil
	}
	key := hash(inst.Spec, creds)
	p.mu.Lock()
	old := p.conns[nn]
	p.mu.Unlock()
	if old != nil && !force && old.key == key && old.gen == inst.Generation && time.Since(old.checked) < p.maxAge &&
		(old.OK() || stalled(old.ShopifyProblem) && stalled(old.OdooProblem)) {
		return old, nil
	}
	c := &Conn{key: key, gen: inst.Generation, checked: time.Now(), withheld: &withheld{}}
	if old != nil && old.key == key && !force {
		c.withheld = old.withheld
	}
	s := inst.Spec
	c.Shopify, err = shopify.New(shopify.Config{Shop: s.Shopify.Shop, APIVersion: s.Shopify.APIVersion, Endpoint: s.Shopify.Endpoint,
		AccessToken: creds.accessToken, ClientID: creds.clientID, ClientSecret: creds.clientSecret,
		Observer: metrics.NewShopifyObserver(metrics.Instance(nn.Namespace, nn.Name)), Withheld: c.withheld.add})
	if err != nil {
		return nil, err
	}
	c.Odoo, err = odoo.New(odoo.Config{URL: s.Odoo.URL, Database: s.Odoo.Database, Username: creds.username,
		APIKey: creds.apiKey, Protocol: string(s.Odoo.Protocol), Observer: observeOdoo})
	if err != nil {
		return nil, err
	}
	c.Shop, c.ShopifyProblem = CheckShopify(ctx, c.Shopify)
	c.Info, c.OdooProblem = CheckOdoo(ctx, c.Odoo, s)
	p.store(nn, c)
	return c, nil
}

func observeOdoo(c odoo.CallInfo) { metrics.OdooRoundTrip(c.Model, c.Method, c.Duration, c.Err) }

func stalled(p *Problem) bool { return p == nil || p.Stalled }

func (p *Pool) store(nn types.NamespacedName, c *Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	c.Cache = &importer.Cache{}
	if old := p.conns[nn]; old != nil {
		c.Cache = old.Cache
	}
	p.conns[nn] = c
}

// credentials are the values of the instance's Secrets, or the problems
// that keep them from being read.
type credentials struct {
	accessToken, clientID, clientSecret, username, apiKey string
	shopify, odoo                                         *Problem
}

func (p *Pool) credentials(ctx context.Context, inst *v1.ShopifyInstance) (credentials, error) {
	var c credentials
	ref := inst.Spec.Shopify.CredentialsSecretRef.Name
	data, err := p.secret(ctx, inst.Namespace, ref)
	if err != nil {
		return c, err
	}
	c.accessToken, c.clientID, c.clientSecret = data["accessToken"], data["clientId"], data["clientSecret"]
	if c.accessToken == "" && (c.clientID == "" || c.clientSecret == "") {
		c.shopify = unusable(ref, "accessToken, or clientId and clientSecret")
	}
	ref = inst.Spec.Odoo.CredentialsSecretRef.Name
	if data, err = p.secret(ctx, inst.Namespace, ref); err != nil {
		return c, err
	}
	c.username, c.apiKey = data["username"], data["apiKey"]
	if c.username == "" || c.apiKey == "" {
		c.odoo = unusable(ref, "username and apiKey")
	}
	return c, nil
}

// unusable is the same problem for a Secret that does not exist, is not
// labelled or lacks a key.
func unusable(secret, keys string) *Problem {
	return &Problem{ReasonCredentialsUnusable, fmt.Sprintf("Secret %q cannot be used: it must exist in the instance's namespace, "+
		"be labelled %s=true and hold %s", secret, v1.CredentialsLabel, keys), true}
}

// secret reads a Secret's data; one that does not exist or is not
// labelled has none.
func (p *Pool) secret(ctx context.Context, ns, name string) (map[string]string, error) {
	s, err := Secret(ctx, p.reader, types.NamespacedName{Namespace: ns, Name: name})
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading Secret %q: %w", name, err)
	}
	data := map[string]string{}
	for k, v := range s.Data {
		data[k] = string(v)
	}
	return data, nil
}

// Secret reads a Secret the manager may use: one without
// CredentialsLabel is NotFound, whatever the reader holds.
func Secret(ctx context.Context, r client.Reader, key types.NamespacedName) (*corev1.Secret, error) {
	var s corev1.Secret
	if err := r.Get(ctx, key, &s); err != nil {
		return nil, err
	}
	if s.Labels[v1.CredentialsLabel] != "true" {
		return nil, apierrors.NewNotFound(corev1.Resource("secrets"), key.Name)
	}
	return &s, nil
}

// hash identifies what the clients are built from; it is never logged.
func hash(s v1.ShopifyInstanceSpec, c credentials) string {
	h := sha256.Sum256([]byte(fmt.Sprintf("%q", []string{s.Shopify.Shop, s.Shopify.APIVersion, s.Shopify.Endpoint,
		s.Odoo.URL, s.Odoo.Database, string(s.Odoo.Protocol), c.accessToken, c.clientID, c.clientSecret, c.username, c.apiKey})))
	return hex.EncodeToString(h[:])
}
