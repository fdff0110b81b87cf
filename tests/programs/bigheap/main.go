// bigheap: a 64 MB heap that the program fills once and then only reads at
// the end, and a CPU-bound loop over 32 KB of it in between, long enough
// for several timeslices.  An anchor's digest needs to reread only the
// pages written since the last one (tests/e2e/t_anchors.sh).  Optional
// arguments: rounds of the loop (default 20000), and "sweep": each round
// also writes one byte of every page of the heap, so that the program
// rewrites all its memory between two anchors.
package main

import (
	"fmt"
	"os"
	"strconv"
)

func main() {
	rounds := 20000
	sweep := false
	if len(os.Args) > 1 {
		v, err := strconv.Atoi(os.Args[1])
		if err != nil || v < 1 || len(os.Args) > 3 ||
			(len(os.Args) == 3 && os.Args[2] != "sweep") {
			fmt.Fprintln(os.Stderr, "usage: bigheap [ROUNDS>=1 [sweep]]")
			os.Exit(2)
		}
		rounds = v
		sweep = len(os.Args) == 3
	}
	keep := make([][]byte, 64)
	for i := range keep {
		keep[i] = make([]byte, 1<<20)
		for j := range keep[i] {
			keep[i][j] = byte(i + j)
		}
	}
	work := make([]uint64, 4096)
	var h uint64 = 14695981039346656037
	for r := 0; r < rounds; r++ {
		for i := range work {
			work[i] = work[i]*6364136223846793005 + uint64(i) ^ h
			h = (h ^ work[i]) * 1099511628211
		}
		if sweep {
			for i := range keep {
				for j := r % 4096; j < len(keep[i]); j += 4096 {
					keep[i][j] += byte(h)
				}
			}
		}
	}
	var sum uint64
	for i := range keep {
		for j := 0; j < len(keep[i]); j += 4096 {
			sum += uint64(keep[i][j])
		}
	}
	fmt.Printf("hash: %016x\nheap check: %d\n", h, sum)
}
