// coredump: moments to write core files of (`dump`, tests/e2e/t_core.sh)
// and open with gdb and `dlv core`.  In order:
//
//   - inspect: goroutines blocked in different ways (chan receive, select,
//     sync.Mutex.Lock, sleep, five calls deep in recurse), and a frame
//     with arguments, locals, a struct and a map; inspect is called twice
//     (a core at the first call reached forward, and again after a
//     reverse-continue from the second);
//   - a goroutine blocked in read(2) on a pipe (a thread inside a blocking
//     syscall), until main writes "wake-up";
//   - SIGUSR1 sent to itself, delivered to its handler (runtime.sigsend);
//   - the exit.
package main

import (
	"fmt"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"
)

type Person struct {
	First, Last string
	Age         int
}

type Account struct {
	Name    string
	Balance int
	Owner   *Person
	Tags    []string
}

var (
	mu      sync.Mutex
	recvCh  = make(chan int)
	deepCh  = make(chan int)
	selA    = make(chan int)
	selB    = make(chan string)
	started sync.WaitGroup
	done    sync.WaitGroup
	counter = 42
)

func receiver() {
	defer done.Done()
	started.Done()
	<-recvCh // @recv
}

func locker() {
	defer done.Done()
	started.Done()
	mu.Lock() // @lock
	mu.Unlock()
}

func selecter() {
	defer done.Done()
	started.Done()
	select { // @select
	case <-selA:
	case <-selB:
	}
}

func sleeper() {
	defer done.Done()
	started.Done()
	time.Sleep(1500 * time.Millisecond) // @sleep
}

//go:noinline
func recurse(n int) int {
	if n == 0 {
		return <-deepCh // @bottom
	}
	return recurse(n-1) + 1 // @recurse
}

func deep() {
	defer done.Done()
	started.Done()
	recurse(4)
}

//go:noinline
func inspect(acct *Account, limit int, label string) int {
	total := 0
	scores := map[string]int{"x": 10, "y": 20, "z": 30}
	owner := *acct.Owner
	for i := 0; i < limit; i++ {
		total += i * acct.Balance
	}
	fmt.Println("inspect", label, limit, total, len(scores), owner.First, acct.Tags[0]) // @inspect
	return total
}

// reader blocks in read(2) on a pipe (a blocking descriptor: the runtime
// does not poll it) until main writes.
func reader(fd int, got chan<- string) {
	buf := make([]byte, 7)
	n, err := syscall.Read(fd, buf) // @read
	if err != nil {
		got <- "read: " + err.Error()
		return
	}
	got <- string(buf[:n])
}

func main() {
	started.Add(5)
	done.Add(5)
	mu.Lock()
	go receiver()
	go locker()
	go selecter()
	go sleeper()
	go deep()
	started.Wait()
	time.Sleep(100 * time.Millisecond)
	acct := &Account{Name: "ann", Balance: -3, Owner: &Person{First: "Ann", Last: "Lee", Age: 40},
		Tags: []string{"vip", "new"}}
	inspect(acct, 4, "first")
	inspect(acct, 5, "second")
	recvCh <- 1
	mu.Unlock()
	selA <- 1
	deepCh <- 1
	done.Wait()

	var p [2]int
	if err := syscall.Pipe(p[:]); err != nil {
		fmt.Println("pipe:", err)
		os.Exit(1)
	}
	got := make(chan string)
	go reader(p[0], got)
	time.Sleep(100 * time.Millisecond)
	syscall.Write(p[1], []byte("wake-up"))
	fmt.Println("reader got", <-got)

	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGUSR1)
	syscall.Kill(os.Getpid(), syscall.SIGUSR1)
	fmt.Println("received", <-sigs)
	counter++
	fmt.Println("done", counter)
}
