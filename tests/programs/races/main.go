// races: three classic concurrency bugs, each a mode, for chaos recording
// (grr flaky --chaos must catch each within a few runs):
//
//	races rmw       four goroutines increment one counter without a lock
//	                (`t.n++`, one incq): updates are lost; exit 1
//	races checkact  two goroutines fill a map cache, checking before
//	                inserting, without a lock: a key is computed twice
//	                (exit 1) or the runtime sees concurrent map writes
//	                (fatal error, exit 2)
//	races counter   eight goroutines do `counter++` 200000 times each on a
//	                global: updates are lost; exit 1
//	races order     main uses a value a goroutine it started is meant to
//	                have set "by now": it reads it before that goroutine
//	                ran; exit 1
//
// Run natively, rmw and checkact fail often on a multiprocessor, order
// rarely.
package main

import (
	"fmt"
	"os"
	"sync"
	"sync/atomic"
)

type tally struct{ n int }

//go:noinline
func (t *tally) incr() { t.n++ }

func rmw() int {
	var t tally
	var wg sync.WaitGroup
	const workers, each = 4, 50000
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < each; j++ {
				t.incr()
			}
		}()
	}
	wg.Wait()
	fmt.Println("count", t.n, "of", workers*each)
	if t.n != workers*each {
		return 1
	}
	return 0
}

var counter int

func counters() int {
	var wg sync.WaitGroup
	const workers, each = 8, 200000
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < each; j++ {
				counter++
			}
		}()
	}
	wg.Wait()
	fmt.Println("counter", counter, "lost", workers*each-counter)
	if counter != workers*each {
		return 1
	}
	return 0
}

//go:noinline
func compute(k int) int { return k*k + 1 }

func checkact() int {
	cache := map[int]int{}
	var computed int64
	var wg sync.WaitGroup
	const keys = 2000
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := 0; k < keys; k++ {
				if _, ok := cache[k]; !ok {
					atomic.AddInt64(&computed, 1)
					cache[k] = compute(k)
				}
			}
		}()
	}
	wg.Wait()
	fmt.Println("computed", computed, "for", keys, "keys")
	if computed != keys {
		return 1
	}
	return 0
}

type config struct{ limit int }

var current *config

//go:noinline
func work(n int) int {
	s := 0
	for i := 0; i < n; i++ {
		s += i ^ (s >> 3)
	}
	return s
}

func order() int {
	go func() {
		current = &config{limit: 10}
	}()
	// long enough for the goroutine to have run on another processor
	sum := work(200000)
	c := current
	if c == nil {
		fmt.Println("config used before it was set", sum&1)
		return 1
	}
	fmt.Println("limit", c.limit, sum&1)
	return 0
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: races rmw|checkact|counter|order")
		os.Exit(2)
	}
	switch os.Args[1] {
	case "rmw":
		os.Exit(rmw())
	case "checkact":
		os.Exit(checkact())
	case "counter":
		os.Exit(counters())
	case "order":
		os.Exit(order())
	}
	fmt.Fprintln(os.Stderr, "unknown mode", os.Args[1])
	os.Exit(2)
}
