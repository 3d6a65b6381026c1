package e2e

import (
	"io"
	"net"
	"net/url"
	"sync"
	"testing"
)

// proxy forwards TCP connections to a server and can cut them all off for
// a while, as a network partition would.
type proxy struct {
	t      testing.TB
	target string // host:port
	addr   string
	url    string
	mu     sync.Mutex
	l      net.Listener
	conns  []net.Conn
	tarpit bool // accept and never answer
}

func newProxy(t testing.TB, target string) *proxy {
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{t: t, target: u.Host}
	p.up()
	p.url = u.Scheme + "://" + p.addr
	t.Cleanup(func() { p.down() })
	return p
}

// up listens (again, on the same address) and forwards what arrives.
func (p *proxy) up() {
	addr := p.addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		p.t.Fatal(err)
	}
	p.mu.Lock()
	p.l, p.addr = l, l.Addr().String()
	p.mu.Unlock()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go p.forward(c)
		}
	}()
}

func (p *proxy) forward(c net.Conn) {
	p.mu.Lock()
	if p.tarpit {
		p.conns = append(p.conns, c, c) // kept open, silent, until down
		p.mu.Unlock()
		return
	}
	p.mu.Unlock()
	s, err := net.Dial("tcp", p.target)
	if err != nil {
		c.Close()
		return
	}
	p.mu.Lock()
	p.conns = append(p.conns, c, s)
	p.mu.Unlock()
	go func() { _, _ = io.Copy(s, c); s.Close() }()
	_, _ = io.Copy(c, s)
	c.Close()
}

// down stops listening and cuts every connection; it returns how many.
func (p *proxy) down() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := len(p.conns) / 2
	if p.l != nil {
		p.l.Close()
		p.l = nil
	}
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
	return n
}
