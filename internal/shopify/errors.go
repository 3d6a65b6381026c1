package shopify

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/shopify-odoo/connector/internal/egress"
)

// Kind classifies a failed call so callers can decide what to do next.
type Kind int

const (
	KindTransport    Kind = iota + 1 // network failure or timeout
	KindServer                       // HTTP 5xx or INTERNAL_SERVER_ERROR
	KindThrottled                    // the cost bucket could not pay, retries exhausted
	KindUnauthorized                 // bad or expired credentials
	KindForbidden                    // missing access scope, or shop unavailable
	KindNotFound                     // unknown shop or object
	KindUserErrors                   // the mutation ran and reported userErrors
	KindGraphQL                      // the document was rejected (invalid, too costly)
	KindBulk                         // a bulk operation failed or was cancelled
)

var kindNames = map[Kind]string{
	KindTransport: "transport", KindServer: "server", KindThrottled: "throttled",
	KindUnauthorized: "unauthorized", KindForbidden: "forbidden", KindNotFound: "not found",
	KindUserErrors: "user errors", KindGraphQL: "graphql", KindBulk: "bulk operation",
}

func (k Kind) String() string { return kindNames[k] }

// UserError is one entry of a mutation's userErrors.
type UserError struct {
	Field   []string `json:"field"`
	Message string   `json:"message"`
	Code    string   `json:"code"`
}

// Error is every error the client returns. Messages never carry credentials.
type Error struct {
	Kind       Kind
	Op         string // operation name, e.g. "Orders"
	Status     int    // HTTP status, 0 if none was received
	Code       string // GraphQL extensions.code, if any
	Message    string
	UserErrors []UserError
	// MaybeApplied is set when a mutation without idempotency key failed after
	// it was sent: Shopify may have applied it, so it was not retried.
	MaybeApplied bool
	// RetryAfter is the server's Retry-After on a throttled reply without cost information.
	RetryAfter time.Duration
	Err        error
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "shopify %s: %s", e.Op, e.Kind)
	if e.Status != 0 {
		fmt.Fprintf(&b, " (HTTP %d)", e.Status)
	}
	if e.Code != "" {
		fmt.Fprintf(&b, " %s", e.Code)
	}
	if e.Message != "" {
		fmt.Fprintf(&b, ": %s", e.Message)
	}
	for _, u := range e.UserErrors {
		fmt.Fprintf(&b, "; %s: %s", strings.Join(u.Field, "."), u.Message)
	}
	if e.MaybeApplied {
		b.WriteString(" (the mutation may have been applied)")
	}
	if e.Err != nil {
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// IsKind reports whether err is an *Error of kind k.
func IsKind(err error, k Kind) bool {
	var e *Error
	return errors.As(err, &e) && e.Kind == k
}

// IsRetryable reports whether repeating the same call later may succeed
// without applying anything twice.
func IsRetryable(err error) bool {
	var e *Error
	if !errors.As(err, &e) || e.MaybeApplied || egress.IsRefused(err) {
		return false
	}
	return e.Kind == KindTransport || e.Kind == KindServer || e.Kind == KindThrottled
}
