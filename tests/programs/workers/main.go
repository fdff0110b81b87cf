// workers: eight goroutines run the same function at the same time, for the
// debugger's goroutine rules (tests/e2e/t_debugger.sh): `next` stays on
// the goroutine it started on while the others (runtime.Gosched lets them
// run) pass through the same lines.
// Lines the test looks for carry a "// @name" marker.
package main

import (
	"fmt"
	"runtime"
	"sync"
)

//go:noinline
func work(id int, out []int) {
	s := 0                   // @w1
	for i := 0; i < 3; i++ { // @w2
		s += id * i       // @w3
		runtime.Gosched() // @w4
	}
	out[id] += s // @w5
}

func main() {
	var wg sync.WaitGroup
	out := make([]int, 8)
	for id := 0; id < 8; id++ {
		wg.Add(1)
		go func(id int) {
			defer wg.Done()
			for k := 0; k < 300; k++ {
				work(id, out)
			}
		}(id)
	}
	wg.Wait()
	fmt.Println(out)
}
