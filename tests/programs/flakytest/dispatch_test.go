package flakytest

import "testing"

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
