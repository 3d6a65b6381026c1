package webhook

import (
	"sync"
	"time"
)

// seen remembers the last size deliveries for ttl each: enough to drop
// Shopify's redeliveries, in bounded memory. What it forgets (across
// restarts and replicas) costs only an idempotent re-import.
type seen struct {
	ttl time.Duration

	mu    sync.Mutex
	ring  []entry // oldest is overwritten first
	next  int
	slots map[string]int // id to its slot in ring
}

type entry struct {
	id string
	at time.Time
}

func newSeen(size int, ttl time.Duration) *seen {
	return &seen{ttl: ttl, ring: make([]entry, size), slots: make(map[string]int, size)}
}

// add records id and reports whether it is new.
func (s *seen) add(id string, now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if i, ok := s.slots[id]; ok && now.Sub(s.ring[i].at) < s.ttl {
		return false
	}
	if old := s.ring[s.next]; old.id != "" && s.slots[old.id] == s.next {
		delete(s.slots, old.id)
	}
	s.ring[s.next] = entry{id, now}
	s.slots[id] = s.next
	s.next = (s.next + 1) % len(s.ring)
	return true
}

// forget drops id, for a delivery that was not accepted after all.
func (s *seen) forget(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.slots, id)
}
