// demo: the README example.  A small bank: tellers (goroutines) move money
// between accounts at random.  Each transfer checks the balance and then
// withdraws in two separate critical sections -- a check-then-act bug -- so
// some runs end with an overdrawn account and some do not, depending on
// scheduling and on the random choices.  Record a run that went wrong, then
// replay it as many times as you like: it goes wrong the same way.
package main

import (
	"fmt"
	"math/rand"
	"sort"
	"sync"
	"time"
)

type bank struct {
	mu       sync.Mutex
	balance  map[string]int
	log      []string
	failures int
}

func (b *bank) get(name string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.balance[name]
}

func (b *bank) move(from, to string, amount int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.balance[from] -= amount
	b.balance[to] += amount
	if b.balance[from] < 0 {
		b.log = append(b.log, fmt.Sprintf("%s overdrawn: %d after sending %d to %s", from, b.balance[from], amount, to))
	}
}

// transfer has the bug: the balance may change between the check and the move.
func (b *bank) transfer(from, to string, amount int, r *rand.Rand) bool {
	if b.get(from) < amount {
		b.mu.Lock()
		b.failures++
		b.mu.Unlock()
		return false
	}
	time.Sleep(time.Duration(r.Intn(200)) * time.Microsecond) // "fraud check"
	b.move(from, to, amount)
	return true
}

func main() {
	seed := time.Now().UnixNano()
	names := []string{"alice", "bob", "carol", "dave"}
	b := &bank{balance: map[string]int{}}
	total := 0
	for _, n := range names {
		b.balance[n] = 100
		total += 100
	}
	fmt.Printf("Opening the bank: %d accounts, %d coins in total\n", len(names), total)

	var wg sync.WaitGroup
	var mu sync.Mutex
	done := 0
	for t := 1; t <= 6; t++ {
		wg.Add(1)
		go func(teller int) {
			defer wg.Done()
			r := rand.New(rand.NewSource(seed + int64(teller)))
			for i := 0; i < 40; i++ {
				from := names[r.Intn(len(names))]
				to := names[r.Intn(len(names))]
				if from == to {
					continue
				}
				if b.transfer(from, to, 10+r.Intn(50), r) {
					mu.Lock()
					done++
					mu.Unlock()
				}
			}
		}(t)
	}
	wg.Wait()

	sort.Strings(names)
	sum := 0
	fmt.Println("Closing balances:")
	for _, n := range names {
		fmt.Printf("  %-6s %5d\n", n, b.balance[n])
		sum += b.balance[n]
	}
	fmt.Printf("Transfers: %d done, %d refused; money conserved: %v\n", done, b.failures, sum == total)
	if len(b.log) == 0 {
		fmt.Println("No account was overdrawn this time. Run it again?")
	} else {
		fmt.Printf("BUG: %d overdrafts! The first: %s\n", len(b.log), b.log[0])
	}
}
