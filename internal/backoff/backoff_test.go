package backoff

import (
	"context"
	"testing"
	"time"
)

func TestDelayGrowsWithinBounds(t *testing.T) {
	for attempt := 1; attempt <= 40; attempt++ {
		want := min(100*time.Millisecond<<min(attempt-1, 31), 5*time.Second)
		for range 50 {
			if d := Delay(attempt, 100*time.Millisecond, 5*time.Second); d < want/2 || d > want {
				t.Fatalf("attempt %d: %v outside [%v, %v]", attempt, d, want/2, want)
			}
		}
	}
}

func TestSleepEndsWithContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Sleep(ctx, time.Hour); err != context.Canceled {
		t.Fatalf("got %v", err)
	}
}
