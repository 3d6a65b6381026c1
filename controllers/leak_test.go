package controllers

import (
	"bytes"
	"strings"
	"sync"

	"sigs.k8s.io/controller-runtime/pkg/metrics"
)

// logs holds what the manager under test logged.
var logs lockedBuffer

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// leaks says where a credential of the simulators showed up in the whole
// run: the manager's logs or its metrics. Status and events are checked by
// the tests themselves.
func leaks() []string {
	var out []string
	families, err := metrics.Registry.Gather()
	if err != nil {
		return []string{"metrics: " + err.Error()}
	}
	var m strings.Builder
	for _, f := range families {
		m.WriteString(f.String())
	}
	for _, secret := range []string{shopToken, odooKey} {
		if strings.Contains(logs.String(), secret) {
			out = append(out, "a credential in the logs")
		}
		if strings.Contains(m.String(), secret) {
			out = append(out, "a credential in the metrics")
		}
	}
	return out
}
