package flakytest

import (
	"fmt"
	"os"
	"sync"
	"testing"
	"time"
)

// TestUrgentFirst fails when the urgent message is not among the first three
// handled: select chose the normal queue three times in a row (1 run in 8).
func TestUrgentFirst(t *testing.T) {
	urgent := make(chan Message, 1)
	normal := make(chan Message, 10)
	for i := 1; i <= 10; i++ {
		normal <- Message{ID: i}
	}
	urgent <- Message{ID: 100, Urgent: true}
	close(urgent)
	close(normal)
	order := Dispatch(urgent, normal)
	if len(order) != 11 {
		t.Fatalf("handled %d messages, want 11", len(order))
	}
	for i := 0; i < 3; i++ {
		if order[i] == 100 {
			return
		}
	}
	t.Fatalf("urgent message handled too late: order %v", order)
}

// TestPasses always passes.
func TestPasses(t *testing.T) {
	xs := make([]int, 1000)
	for i := range xs {
		xs[i] = i
	}
	if got := Sum(xs); got != 499500 {
		t.Fatalf("Sum = %d, want 499500", got)
	}
}

// TestHang, with FLAKYTEST_HANG=1 in the environment, never finishes: it
// takes a lock it already holds (for `grr flaky --timeout`).  A pending
// timer, as -test.timeout would set, keeps Go from reporting a deadlock.
// Skipped otherwise.
func TestHang(t *testing.T) {
	if os.Getenv("FLAKYTEST_HANG") != "1" {
		t.Skip("set FLAKYTEST_HANG=1 to run")
	}
	alarm := time.AfterFunc(time.Hour, func() {})
	defer alarm.Stop()
	var mu sync.Mutex
	mu.Lock()
	fmt.Println("TestHang: taking the lock again")
	mu.Lock()
	t.Fatal("unreachable")
}
