// threads: GOMAXPROCS(4) and goroutines locked to OS threads, so the work
// runs on several threads (clone(2) with CLONE_THREAD, and thread exit); deterministic output.
package main

import (
	"fmt"
	"runtime"
	"sync"
	"syscall"
)

func work(id int) uint64 {
	h := uint64(14695981039346656037) + uint64(id)
	for i := 0; i < 2000000; i++ {
		h ^= uint64(i)
		h *= 1099511628211
	}
	return h
}

func main() {
	runtime.GOMAXPROCS(4)
	const n = 6
	results := make([]uint64, n)
	tids := make([]int, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			// Never unlocked: when the goroutine exits its thread exits
			// too, so this also exercises thread exit.
			runtime.LockOSThread()
			tids[i] = syscall.Gettid()
			results[i] = work(i)
		}(i)
	}
	wg.Wait()
	distinct := map[int]bool{}
	for i, r := range results {
		fmt.Printf("worker %d: %016x\n", i, r)
		distinct[tids[i]] = true
	}
	// Each locked goroutine's thread dies with it, so the ids differ.
	fmt.Println("several threads:", len(distinct) >= 2)
}
