// Package flakytest holds a test that fails in a minority of runs, for
// `grr flaky`, one that always passes, and one that hangs on request.
package flakytest

// Message is a unit of work; Urgent ones are meant to jump the queue.
type Message struct {
	ID     int
	Urgent bool
}

// Dispatch drains both queues and returns the IDs in the order handled.
// The bug: it assumes select prefers the first ready case, but Go picks
// uniformly at random among ready cases, so an urgent message can wait.
func Dispatch(urgent, normal <-chan Message) []int {
	var order []int
	for urgent != nil || normal != nil {
		select {
		case m, ok := <-urgent:
			if !ok {
				urgent = nil
				continue
			}
			order = append(order, m.ID)
		case m, ok := <-normal:
			if !ok {
				normal = nil
				continue
			}
			order = append(order, m.ID)
		}
	}
	return order
}

// Sum adds numbers using a few goroutines; it is correct.
func Sum(xs []int) int {
	const parts = 4
	ch := make(chan int, parts)
	for p := 0; p < parts; p++ {
		go func(p int) {
			s := 0
			for i := p; i < len(xs); i += parts {
				s += xs[i]
			}
			ch <- s
		}(p)
	}
	total := 0
	for p := 0; p < parts; p++ {
		total += <-ch
	}
	return total
}
