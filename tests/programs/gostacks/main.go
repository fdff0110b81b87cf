// gostacks: goroutines blocked in different ways, for the debugger's
// goroutine and stack commands (tests/e2e/t_stacks.sh).  Each goroutine
// prints its id and role; when all of them are blocked, the inspector
// goroutine calls allBlocked (where the test stops), then releases them.
//
// Blocked at allBlocked:
//
//	main       sync.WaitGroup.Wait (Go 1.19: semacquire)
//	receiver   chan receive
//	locker     sync.Mutex.Lock (Go 1.19: semacquire)
//	sleeper    sleep
//	selecter   select
//	deep       chan receive, at the bottom of 5 calls of recurse
//	inliner    chan receive, in waitInl (inlined unless -gcflags=-l)
//	inspector  running, in allBlocked
package main

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
	"time"
)

var (
	mu      sync.Mutex
	recvCh  = make(chan int)
	deepCh  = make(chan int)
	inlCh   = make(chan int)
	selA    = make(chan int)
	selB    = make(chan string)
	started sync.WaitGroup
	done    sync.WaitGroup
)

// announce prints the goroutine's id, read from runtime.Stack's first
// line ("goroutine 7 [running]:"), and its role.
func announce(role string) {
	buf := make([]byte, 64)
	n := runtime.Stack(buf, false)
	f := strings.Fields(string(buf[:n]))
	fmt.Printf("%s goroutine %s\n", role, f[1])
	started.Done()
}

func receiver() {
	defer done.Done()
	announce("receiver")
	v := <-recvCh // @recv
	_ = v
}

func locker() {
	defer done.Done()
	announce("locker")
	mu.Lock() // @lock
	mu.Unlock()
}

func sleeper() {
	defer done.Done()
	announce("sleeper")
	time.Sleep(1500 * time.Millisecond) // @sleep
}

func selecter() {
	defer done.Done()
	announce("selecter")
	select { // @select
	case <-selA:
	case <-selB:
	}
}

//go:noinline
func recurse(n int) int {
	if n == 0 {
		return <-deepCh // @bottom
	}
	return recurse(n-1) + 1 // @recurse
}

func deep() {
	defer done.Done() // @deferdeep
	announce("deep")
	recurse(4) // @deep
}

// waitInl is inlined into inliner (unless built with -gcflags=-l).
func waitInl() int {
	return <-inlCh // @inl
}

func inliner() {
	defer done.Done()
	announce("inliner")
	waitInl() // @callinl
}

//go:noinline
func allBlocked() {
	fmt.Println("all blocked") // @allblocked
}

func inspector() {
	defer done.Done()
	started.Wait()
	time.Sleep(200 * time.Millisecond)
	allBlocked() // @callall
	recvCh <- 1
	mu.Unlock()
	selA <- 1
	deepCh <- 1
	inlCh <- 1
}

func main() {
	started.Add(7)
	announce("main")
	mu.Lock()
	done.Add(7)
	go receiver()  // @go_receiver
	go locker()    // @go_locker
	go sleeper()   // @go_sleeper
	go selecter()  // @go_selecter
	go deep()      // @go_deep
	go inliner()   // @go_inliner
	go inspector() // @go_inspector
	done.Wait()    // @wait
	fmt.Println("done")
}
