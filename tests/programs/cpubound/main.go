// cpubound: pure computation, no syscalls in the hot loop: a prime sieve
// and an FNV hash loop.  Optional argument: problem size (default 30000000,
// about 0.5 s natively).  Used by benchmarks.
package main

import (
	"fmt"
	"os"
	"strconv"
)

func main() {
	n := 30000000
	if len(os.Args) > 1 {
		v, err := strconv.Atoi(os.Args[1])
		if err != nil || v < 2 {
			fmt.Fprintln(os.Stderr, "usage: cpubound [SIZE>=2]")
			os.Exit(2)
		}
		n = v
	}
	composite := make([]bool, n+1)
	count := 0
	for i := 2; i <= n; i++ {
		if composite[i] {
			continue
		}
		count++
		for j := i * i; j <= n; j += i {
			composite[j] = true
		}
	}
	h := uint64(14695981039346656037)
	for i := 0; i < n; i++ {
		h ^= uint64(i)
		h *= 1099511628211
	}
	fmt.Printf("primes <= %d: %d\n", n, count)
	fmt.Printf("hash: %016x\n", h)
}
