// spinwait: one goroutine spins on an atomic flag in a loop with no function
// calls (no preemption points, no syscalls) while another goroutine, locked
// to its own OS thread, sets the flag after some work.  A recorder that runs
// one thread at a time must preempt the spinner (e.g. a timer signal) or
// this never terminates.  Go's async preemption (SIGURG) also targets it.
package main

import (
	"fmt"
	"runtime"
	"sync/atomic"
)

var flag int32
var spins uint64

func main() {
	if runtime.GOMAXPROCS(0) < 2 {
		runtime.GOMAXPROCS(2)
	}
	done := make(chan uint64)
	go func() {
		n := uint64(0)
		for atomic.LoadInt32(&flag) == 0 {
			n++
		}
		done <- n
	}()
	go func() {
		runtime.LockOSThread()
		h := uint32(2166136261)
		for i := 0; i < 3000000; i++ {
			h = (h ^ uint32(i)) * 16777619
		}
		fmt.Printf("work result: %08x\n", h)
		atomic.StoreInt32(&flag, 1)
	}()
	n := <-done
	_ = n // spin count is scheduling-dependent; not printed
	fmt.Println("spinner saw the flag")
}
