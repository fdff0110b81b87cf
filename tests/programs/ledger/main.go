// ledger is the debugger's test program (tests/e2e/t_debugger.sh): a few
// calls to break on, a loop to step through, and a global that a late write
// corrupts, to be found with a reverse watchpoint.  Lines the test looks
// for carry a "// @name" marker; the test finds their numbers by marker.
package main

import "fmt"

type Account struct {
	Name    string
	Balance int
}

type Ledger struct {
	accounts []*Account
	posts    int
}

var counter int

func (l *Ledger) post(a *Account, amount int) {
	a.Balance += amount // @post
	l.posts++
	counter++ // @count
}

//go:noinline
func apply(l *Ledger, a *Account, amount int) int {
	l.post(a, amount) // @apply
	return a.Balance
}

func main() {
	l := &Ledger{}
	bob := &Account{Name: "bob"}
	l.accounts = append(l.accounts, bob)
	total := 0
	for i := 1; i <= 5; i++ { // @loop
		total += apply(l, bob, i) // @call
		fmt.Println("posted", i)  // @print
	}
	counter = -7 // @corrupt
	fmt.Println("total", total, "balance", bob.Balance, "counter", counter, "posts", l.posts)
}
