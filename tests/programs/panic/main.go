// panic: an unrecovered panic in a goroutine; the runtime prints the message
// and a goroutine trace to stderr and exits with status 2.
package main

import (
	"fmt"
	"time"
)

type bankError struct{ account int }

func (e bankError) Error() string { return fmt.Sprintf("account %d overdrawn", e.account) }

func process(account int) {
	if account == 7 {
		panic(bankError{account})
	}
}

func main() {
	fmt.Println("processing accounts")
	done := make(chan bool)
	go func() {
		for i := 0; i < 10; i++ {
			process(i)
		}
		done <- true
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
	}
	fmt.Println("not reached")
}
