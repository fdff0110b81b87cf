// manygoroutines: N goroutines (argument, default 10000) in a ring, passing
// a token with channel ping-pong; lots of scheduler work, futex wakeups and
// stack growth.  Deterministic output.  Used by benchmarks.
package main

import (
	"fmt"
	"os"
	"strconv"
	"sync"
)

func main() {
	n := 10000
	if len(os.Args) > 1 {
		v, err := strconv.Atoi(os.Args[1])
		if err != nil || v < 1 {
			fmt.Fprintln(os.Stderr, "usage: manygoroutines [N]")
			os.Exit(2)
		}
		n = v
	}
	// Ping-pong pairs: each goroutine echoes values back 10 times.
	var wg sync.WaitGroup
	var mu sync.Mutex
	total := 0
	for i := 0; i < n; i++ {
		wg.Add(1)
		ping, pong := make(chan int), make(chan int)
		go func() {
			for v := range ping {
				pong <- v + 1
			}
			close(pong)
		}()
		go func(i int) {
			defer wg.Done()
			v := i
			for r := 0; r < 10; r++ {
				ping <- v
				v = <-pong
			}
			close(ping)
			mu.Lock()
			total += v
			mu.Unlock()
		}(i)
	}
	wg.Wait()
	// A ring: the token visits every goroutine twice.
	first := make(chan int)
	in := first
	for i := 0; i < n; i++ {
		out := make(chan int)
		go func(in, out chan int) {
			for v := range in {
				out <- v + 1
			}
			close(out)
		}(in, out)
		in = out
	}
	last := in
	first <- 0
	v1 := <-last
	first <- v1
	v2 := <-last
	close(first)
	<-last
	fmt.Printf("goroutines: %d\npingpong total: %d\nring token: %d %d\n", 3*n, total, v1, v2)
}
