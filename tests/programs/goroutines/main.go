// goroutines: 100 goroutines, a WaitGroup and channels; the sum printed is
// deterministic whatever the schedule.
package main

import (
	"fmt"
	"sync"
)

func main() {
	const n = 100
	in := make(chan int)
	out := make(chan int, 1000)
	var wg sync.WaitGroup
	for w := 0; w < n; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for x := range in {
				s := 0
				for i := 1; i <= x; i++ {
					s += i * i
				}
				out <- s
			}
		}()
	}
	for i := 1; i <= 1000; i++ {
		in <- i
	}
	close(in)
	wg.Wait()
	close(out)
	total := 0
	count := 0
	for s := range out {
		total += s
		count++
	}
	fmt.Printf("results: %d\nsum: %d\n", count, total)
}
