// Package racetest is a flaky test with a data race: four goroutines
// increment a counter through a method, without a lock.  On a
// multiprocessor it fails in most runs; `grr flaky --chaos` must catch it
// within a few (the method is one incq: chaos recording cuts it in two).
package racetest

import (
	"sync"
	"testing"
)

type tally struct{ n int }

//go:noinline
func (t *tally) incr() { t.n++ }

func TestIncr(t *testing.T) {
	var x tally
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 50000; j++ {
				x.incr()
			}
		}()
	}
	wg.Wait()
	if x.n != 200000 {
		t.Fatalf("n = %d, want 200000", x.n)
	}
}
