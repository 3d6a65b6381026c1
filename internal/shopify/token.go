package shopify

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"time"

	"github.com/shopify-odoo/connector/internal/backoff"
	"github.com/shopify-odoo/connector/internal/egress"
)

// accessToken returns the static token, or a client-credentials token that is
// renewed once 90% of its lifetime has passed.
func (c *Client) accessToken(ctx context.Context) (string, error) {
	if c.cfg.AccessToken != "" {
		return c.cfg.AccessToken, nil
	}
	c.tokenMu.Lock()
	defer c.tokenMu.Unlock()
	if c.token != "" && c.now().Before(c.renewAt) {
		return c.token, nil
	}
	var err error
	for attempt := 1; attempt <= c.cfg.MaxAttempts; attempt++ {
		var tok string
		var ttl time.Duration
		if tok, ttl, err = c.grant(ctx); err == nil {
			c.token, c.renewAt = tok, c.now().Add(ttl*9/10)
			return tok, nil
		}
		if !IsRetryable(err) {
			break
		}
		if serr := backoff.Sleep(ctx, backoff.Delay(attempt, 200*time.Millisecond, 10*time.Second)); serr != nil {
			return "", &Error{Kind: KindTransport, Op: "token", Err: serr}
		}
	}
	return "", err
}

func (c *Client) dropToken() {
	c.tokenMu.Lock()
	c.token = ""
	c.tokenMu.Unlock()
}

// grant performs one client-credentials request. Neither the secret nor the
// reply body ever reaches an error message.
func (c *Client) grant(ctx context.Context) (string, time.Duration, error) {
	const op = "token"
	body, _ := json.Marshal(map[string]string{
		"client_id": c.cfg.ClientID, "client_secret": c.cfg.ClientSecret, "grant_type": "client_credentials",
	})
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/admin/oauth/access_token", bytes.NewReader(body))
	if err != nil {
		return "", 0, &Error{Kind: KindTransport, Op: op, Err: err}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return "", 0, &Error{Kind: KindTransport, Op: op, Err: egress.Wrap(err)}
	}
	defer resp.Body.Close()
	if e := statusError(op, resp.StatusCode); e != nil {
		if resp.StatusCode == http.StatusBadRequest || e.Kind == KindGraphQL {
			e.Kind = KindUnauthorized
		}
		return "", 0, e
	}
	var tok struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int64  `json:"expires_in"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&tok); err != nil || tok.AccessToken == "" {
		return "", 0, &Error{Kind: KindUnauthorized, Op: op, Status: resp.StatusCode, Message: "no access token in reply"}
	}
	ttl := time.Duration(tok.ExpiresIn) * time.Second
	if ttl <= 0 {
		ttl = 24 * time.Hour // tokens without expiry: renew daily anyway
	}
	return tok.AccessToken, ttl, nil
}
