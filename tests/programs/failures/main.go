// failures: a program that fails in the way its argument names, for the
// debugger's failure breakpoints and the end of a recording:
//
//	panic     a nil map write in a goroutine (unrecovered panic, exit 2)
//	nilderef  a nil pointer dereference in a goroutine (SIGSEGV turned
//	          into a panic, exit 2)
//	deadlock  every goroutine blocked (fatal error, exit 2)
//	hang      goroutines blocked while main sleeps forever (for --timeout)
//	exit      os.Exit(3)
//
// Each first fills a ledger through main.fill, where tests set breakpoints.
package main

import (
	"fmt"
	"os"
	"sync"
	"time"
)

type ledger struct {
	name    string
	entries map[string]int
}

var filled int

//go:noinline
func fill(l *ledger, n int) {
	for i := 0; i < n; i++ {
		l.entries[fmt.Sprintf("k%d", i)] = i
		filled++
	}
}

type node struct {
	next *node
	val  int
}

//go:noinline
func deref(n *node) int { return n.next.val }

func inGoroutine(f func()) {
	done := make(chan bool)
	go func() {
		f()
		done <- true
	}()
	<-done
}

func deadlock() {
	var mu sync.Mutex
	var wg sync.WaitGroup
	ch := make(chan int)
	mu.Lock()
	wg.Add(3)
	go func() { defer wg.Done(); <-ch }()      // chan receive
	go func() { defer wg.Done(); mu.Lock() }() // sync.Mutex.Lock @mutex
	go func() { defer wg.Done(); select {} }() // select (no cases)
	wg.Wait()                                  // sync.WaitGroup.Wait
}

func hang() {
	var mu sync.Mutex
	ch := make(chan int)
	mu.Lock()
	go func() { <-ch }()
	go func() { mu.Lock() }()
	for {
		time.Sleep(time.Hour)
	}
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: failures panic|nilderef|deadlock|hang|exit")
		os.Exit(64)
	}
	l := &ledger{name: "main", entries: map[string]int{}}
	fill(l, 3)
	fmt.Println("filled", filled)
	switch os.Args[1] {
	case "panic":
		inGoroutine(func() {
			broken := &ledger{name: "broken"}
			fill(broken, 2)
		})
	case "nilderef":
		inGoroutine(func() {
			fmt.Println(deref(&node{val: 1}))
		})
	case "deadlock":
		deadlock()
	case "hang":
		hang()
	case "exit":
		os.Exit(3)
	}
	fmt.Println("not reached")
}
