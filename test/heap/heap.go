// Package heap measures the peak of the Go heap while a test runs, for
// tests that hold a memory bound.
package heap

import (
	"runtime"
	"time"
)

// Peak samples the heap in use every 5 ms until stop is closed and then
// sends its peak.
func Peak(stop <-chan struct{}) <-chan uint64 {
	out := make(chan uint64, 1)
	go func() {
		var peak uint64
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapAlloc)
			select {
			case <-stop:
				out <- peak
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	return out
}
