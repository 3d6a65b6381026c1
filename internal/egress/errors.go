package egress

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
)

// TooLargeError is a reply or file larger than what is read of it.
type TooLargeError struct{ Limit int64 }

func (e *TooLargeError) Error() string { return fmt.Sprintf("more than %s", MiB(e.Limit)) }

// MiB writes a size in MiB.
func MiB(n int64) string { return fmt.Sprintf("%d MiB", n>>20) }

// LimitReader reads r up to n bytes and fails with *TooLargeError on more.
func LimitReader(r io.Reader, n int64) io.Reader { return &limited{r: r, left: n, limit: n} }

type limited struct {
	r           io.Reader
	left, limit int64
}

func (l *limited) Read(p []byte) (int, error) {
	if l.left < 0 {
		return 0, &TooLargeError{l.limit}
	}
	if int64(len(p)) > l.left+1 {
		p = p[:l.left+1] // one byte more tells a reply of exactly n bytes from a longer one
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	if l.left < 0 {
		return n - 1, &TooLargeError{l.limit}
	}
	return n, err
}

// Failure is a transport failure whose text is its Summary: what the other
// side or the network said stays out of conditions, events and logs.
type Failure struct{ Err error }

func (f *Failure) Error() string { return Summary(f.Err) }
func (f *Failure) Unwrap() error { return f.Err }

// Wrap makes err's text its Summary, keeping err for errors.Is and As.
func Wrap(err error) error {
	var f *Failure
	if err == nil || errors.As(err, &f) {
		return err
	}
	return &Failure{err}
}

// Summary is the class of a transport failure: a refusal of the rules with
// its reason, a size bound, a timeout, a TLS error, a refused or reset
// connection, an unknown host. It never holds the text of the endpoint nor
// the addresses dialled.
func Summary(err error) string {
	var refused *RefusedError
	var large *TooLargeError
	var unknownCA x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var invalid x509.CertificateInvalidError
	var verify *tls.CertificateVerificationError
	var header tls.RecordHeaderError
	var alert tls.AlertError
	var dns *net.DNSError
	var ne net.Error
	switch {
	case errors.As(err, &refused):
		return refused.Error()
	case errors.As(err, &large):
		return large.Error()
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case errors.As(err, &unknownCA):
		return "TLS error: certificate signed by an unknown authority"
	case errors.As(err, &hostname):
		return "TLS error: certificate not valid for the host"
	case errors.As(err, &invalid):
		return "TLS error: certificate expired or not valid"
	case errors.As(err, &verify):
		return "TLS error: certificate not verified"
	case errors.As(err, &header):
		return "TLS error: the server does not speak TLS"
	case errors.As(err, &alert):
		return "TLS error: handshake refused"
	case errors.As(err, &dns):
		if dns.IsNotFound {
			return "host not found"
		}
		return "DNS lookup failed"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset"
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return "connection closed early (EOF)"
	case errors.Is(err, syscall.EHOSTUNREACH) || errors.Is(err, syscall.ENETUNREACH):
		return "host unreachable"
	}
	return "network error"
}
