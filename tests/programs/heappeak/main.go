// heappeak: a heap of N MB (default 100), every byte of it written, then
// main.peak, the moment `make bench` writes a core file of
// (tools/bench-core.sh).
package main

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
)

//go:noinline
func peak(keep [][]byte) int { return len(keep) }

func main() {
	mb := 100
	if len(os.Args) > 1 {
		v, err := strconv.Atoi(os.Args[1])
		if err != nil || v < 1 {
			fmt.Fprintln(os.Stderr, "usage: heappeak [MB>=1]")
			os.Exit(2)
		}
		mb = v
	}
	keep := make([][]byte, mb)
	for i := range keep {
		keep[i] = make([]byte, 1<<20)
		for j := range keep[i] {
			keep[i][j] = byte(i*31 + j*7 + 1)
		}
	}
	n := peak(keep)
	runtime.KeepAlive(keep)
	fmt.Println("heap", n, "MB")
}
