package instance

import (
	"cmp"
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
	"github.com/shopify-odoo/connector/internal/egress"
	"github.com/shopify-odoo/connector/internal/importer"
	"github.com/shopify-odoo/connector/internal/metrics"
	"github.com/shopify-odoo/connector/internal/odoo"
	"github.com/shopify-odoo/connector/internal/shopify"
)

// Reasons of problems found before either end is called.
const (
	ReasonCABundleNotFound = "CABundleNotFound"
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
	// configMaps reads the CA bundles in ConfigMaps, uncached: the manager
	// watches no ConfigMap.
	configMaps client.Reader
	maxAge     time.Duration
	// Egress is the operator's rules for the endpoints and files.
	Egress egress.Policy
	// AllowEndpoint lets spec.shopify.endpoint replace https://<shop>: a
	// hook for simulators and tests, not for tenants.
	AllowEndpoint bool

	mu    sync.Mutex
	conns map[types.NamespacedName]*Conn
	lives map[types.NamespacedName]life
}

// life ends when its instance is forgotten, and with it the work bound to it.
type life struct {
	ctx    context.Context
	cancel context.CancelFunc
}

// NewPool reads Secrets with reader (the manager's cache of labelled
// Secrets) and checks both ends again when a check
// is older than maxAge.
func NewPool(reader, configMaps client.Reader, maxAge time.Duration) *Pool {
	return &Pool{reader: reader, configMaps: configMaps, maxAge: maxAge, conns: map[types.NamespacedName]*Conn{}, lives: map[types.NamespacedName]life{}}
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

// Forget drops a deleted instance's clients and cancels the work bound to it.
func (p *Pool) Forget(key types.NamespacedName) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.conns, key)
	if l, ok := p.lives[key]; ok {
		l.cancel()
		delete(p.lives, key)
	}
}

// Bind returns ctx, cancelled too when the instance key is forgotten: the
// work of a deleted instance stops at once instead of holding a worker.
func (p *Pool) Bind(ctx context.Context, key types.NamespacedName) (context.Context, context.CancelFunc) {
	p.mu.Lock()
	l, ok := p.lives[key]
	if !ok {
		l.ctx, l.cancel = context.WithCancel(context.Background())
		p.lives[key] = l
	}
	p.mu.Unlock()
	ctx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(l.ctx, cancel)
	return ctx, func() {
		stop()
		cancel()
	}
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
		AccessToken: creds.accessToken, ClientID: creds.clientID, ClientSecret: creds.clientSecret, Egress: p.Egress,
		Observer: metrics.NewShopifyObserver(metrics.Instance(nn.Namespace, nn.Name)), Withheld: c.withheld.add})
	if c.ShopifyProblem = refused("Shopify", err); err != nil && c.ShopifyProblem == nil {
		return nil, err
	}
	c.Odoo, err = odoo.New(odoo.Config{URL: s.Odoo.URL, Database: s.Odoo.Database, Username: creds.username,
		APIKey: creds.apiKey, Protocol: string(s.Odoo.Protocol), Egress: p.Egress, CABundle: creds.caBundle, Observer: observeOdoo})
	if c.OdooProblem = refused("Odoo", err); err != nil && c.OdooProblem == nil {
		return nil, err
	}
	// Both at once, so that an end that does not answer costs the deadline
	// of ctx once, and keeps no word from the other.
	var wg sync.WaitGroup
	if c.ShopifyProblem == nil {
		wg.Go(func() { c.Shop, c.ShopifyProblem = CheckShopify(ctx, c.Shopify) })
	}
	if c.OdooProblem == nil {
		c.Info, c.OdooProblem = CheckOdoo(ctx, c.Odoo, s)
	}
	wg.Wait()
	p.store(nn, c)
	return c, nil
}

// refused is the problem of an endpoint the egress rules refuse, or nil.
func refused(side string, err error) *Problem {
	if !egress.IsRefused(err) {
		return nil
	}
	return &Problem{ReasonEndpointRefused, side + ": " + err.Error(), true}
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
	caBundle                                              []byte
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
	if ref := inst.Spec.Odoo.CABundleRef; ref != nil && c.odoo == nil {
		c.caBundle, c.odoo, err = p.caBundle(ctx, inst.Namespace, ref)
	}
	return c, err
}

// caBundle reads the PEM bundle ref names; a missing one is a problem.
func (p *Pool) caBundle(ctx context.Context, ns string, ref *v1.CABundleReference) ([]byte, *Problem, error) {
	key := cmp.Or(ref.Key, "ca.crt")
	var data map[string][]byte
	kind, name := "ConfigMap", ref.ConfigMapName
	var err error
	if name != "" {
		var cm corev1.ConfigMap
		err = p.configMaps.Get(ctx, types.NamespacedName{Namespace: ns, Name: name}, &cm)
		data = map[string][]byte{key: []byte(cm.Data[key])}
	} else {
		var s *corev1.Secret
		kind, name = "Secret", ref.SecretName
		if s, err = Secret(ctx, p.reader, types.NamespacedName{Namespace: ns, Name: name}); err == nil {
			data = s.Data
		}
	}
	switch {
	case apierrors.IsNotFound(err):
		return nil, &Problem{ReasonCABundleNotFound, fmt.Sprintf("the CA bundle's %s %q is not found", kind, name), true}, nil
	case err != nil:
		return nil, nil, fmt.Errorf("reading the CA bundle's %s %q: %w", kind, name, err)
	case len(data[key]) == 0:
		return nil, &Problem{ReasonCABundleNotFound, fmt.Sprintf("the CA bundle's %s %q has no %s", kind, name, key), true}, nil
	}
	return data[key], nil, nil
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
		s.Odoo.URL, s.Odoo.Database, string(s.Odoo.Protocol), c.accessToken, c.clientID, c.clientSecret, c.username, c.apiKey, string(c.caBundle)})))
	return hex.EncodeToString(h[:])
}
