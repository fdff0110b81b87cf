// race: a lost-update data race: goroutines on different threads do a
// non-atomic counter++ N times each.  Prints the final counter and
// "LOST UPDATE" when it is below the expected total; exits 0 either way.
// Nondeterministic: replay must reproduce exactly the recorded interleaving.
package main

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync"
)

var counter int

//go:noinline
// next computes the new value; keeping it out of line makes the update a
// read, a call and a write: a window another thread can fall into.  (A bare
// counter++ compiles to one INCQ, which no thread switch can split when
// threads take turns, as under a recorder.)
//
//go:noinline
func next(v int) int { return v + 1 }

func bump(n int) {
	for i := 0; i < n; i++ {
		v := counter
		counter = next(v)
	}
}

func main() {
	n := 200000
	if len(os.Args) > 1 {
		if v, err := strconv.Atoi(os.Args[1]); err == nil && v > 0 {
			n = v
		}
	}
	const workers = 4
	runtime.GOMAXPROCS(workers)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			runtime.LockOSThread()
			<-start
			bump(n)
		}()
	}
	close(start)
	wg.Wait()
	want := workers * n
	fmt.Printf("counter: %d (expected %d)\n", counter, want)
	if counter < want {
		fmt.Printf("LOST UPDATE: %d increments lost\n", want-counter)
	} else {
		fmt.Println("no lost update this time")
	}
}
