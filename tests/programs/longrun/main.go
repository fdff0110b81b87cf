// longrun: a long CPU-bound run for the debugger benchmarks (make bench):
// ROUNDS rounds of hashing (about 27 ms each natively), and one call of
// marker() at 95% of the run, for a reverse-continue from the end to land
// on.  Argument: rounds (default 300, about 8 s).
package main

import (
	"fmt"
	"os"
	"strconv"
)

var sink int

//go:noinline
func work(round int) uint64 {
	h := uint64(14695981039346656037) ^ uint64(round)
	for k := 0; k < 20000000; k++ {
		h ^= uint64(k)
		h *= 1099511628211
	}
	return h
}

//go:noinline
func marker(round int) {
	sink += round
}

func main() {
	rounds := 300
	if len(os.Args) > 1 {
		v, err := strconv.Atoi(os.Args[1])
		if err != nil || v < 1 {
			fmt.Fprintln(os.Stderr, "usage: longrun [ROUNDS>=1]")
			os.Exit(2)
		}
		rounds = v
	}
	var total uint64
	for i := 0; i < rounds; i++ {
		total += work(i)
		if i == rounds*95/100 {
			marker(i)
		}
	}
	fmt.Printf("rounds %d total %016x marker %d\n", rounds, total, sink)
}
