package odoo

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/shopify-odoo/connector/internal/egress"
)

// Kind classifies an Odoo error.
type Kind string

const (
	AccessDenied    Kind = "AccessDenied"    // bad credentials on a call
	AccessError     Kind = "AccessError"     // not allowed, private method
	MissingError    Kind = "MissingError"    // record deleted or never existed
	UserError       Kind = "UserError"       // business rule refused the operation
	ValidationError Kind = "ValidationError" // constraint failed
	NotFound        Kind = "NotFound"        // unknown model or method (JSON-2)
	InvalidRequest  Kind = "InvalidRequest"  // bad field, argument or value
	Concurrency     Kind = "Concurrency"     // serialization failure or lock, worth retrying
	ServerError     Kind = "ServerError"     // anything else raised by the server
	Transport       Kind = "Transport"       // HTTP-level failure without an Odoo error body
	TooLarge        Kind = "TooLarge"        // a reply larger than Config.MaxReply
)

// Error is an error reported by Odoo or by the HTTP exchange with it.
type Error struct {
	Name       string // Odoo's exception name, e.g. odoo.exceptions.UserError
	Message    string
	Kind       Kind
	HTTPStatus int
	Model      string
	Method     string
}

func (e *Error) Error() string {
	if e.Kind == TooLarge {
		return e.Message
	}
	if e.Model != "" {
		return fmt.Sprintf("odoo %s.%s: %s: %s", e.Model, e.Method, e.Kind, e.Message)
	}
	return fmt.Sprintf("odoo %s: %s: %s", e.Method, e.Kind, e.Message)
}

// ErrBadCredentials is returned when the database, login or API key is refused.
var ErrBadCredentials = errors.New("odoo: bad credentials (database, login or API key refused)")

// ErrReplyLost wraps a failure after a non-repeatable call was sent: the call
// may have committed, so the caller must check before trying again.
var ErrReplyLost = errors.New("odoo: reply lost after the request was sent")

func kindOf(name string, status int) Kind {
	short := name[strings.LastIndex(name, ".")+1:]
	switch {
	case short == "AccessDenied" || short == "Unauthorized":
		return AccessDenied
	case short == "AccessError" || short == "Forbidden":
		return AccessError
	case short == "MissingError":
		return MissingError
	case short == "ValidationError":
		return ValidationError
	case short == "UserError" || short == "RedirectWarning":
		return UserError
	case short == "NotFound" || short == "AttributeError":
		return NotFound
	case short == "ValueError" || short == "TypeError" || short == "KeyError" || short == "UnprocessableEntity" || short == "BadRequest":
		return InvalidRequest
	case strings.HasPrefix(name, "psycopg2.") && (strings.Contains(short, "Serialization") || strings.Contains(short, "LockNotAvailable") || strings.Contains(short, "Deadlock")),
		short == "ConcurrencyError":
		return Concurrency
	case name == "" && status != 0:
		return Transport
	}
	return ServerError
}

// IsRetryable tells whether repeating the call may succeed: network errors,
// timeouts, gateway or server-side 5xx without a business error, and
// PostgreSQL serialization or lock failures.
func IsRetryable(err error) bool {
	if err == nil || errors.Is(err, ErrBadCredentials) || errors.Is(err, context.Canceled) || egress.IsRefused(err) {
		return false
	}
	var oe *Error
	if errors.As(err, &oe) {
		switch oe.Kind {
		case Concurrency:
			return true
		case Transport:
			return oe.HTTPStatus >= 500 || oe.HTTPStatus == 429
		}
		return false
	}
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var oerr *net.OpError
	return errors.As(err, &oerr) || strings.Contains(err.Error(), "EOF") || strings.Contains(err.Error(), "connection reset")
}

// IsKind reports whether err is an Odoo error of kind k.
func IsKind(err error, k Kind) bool {
	var oe *Error
	return errors.As(err, &oe) && oe.Kind == k
}
