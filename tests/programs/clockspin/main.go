// clockspin: goroutines on several threads read the clock in tight loops
// (time.Now and time.Since: the vDSO's clock_gettime) and race on a shared
// counter, so that preemptions and signals often land inside a clock read.
// The output depends on timing and must be reproduced by replay.
package main

import (
	"fmt"
	"os"
	"strconv"
	"sync"
	"time"
)

var racy int64

func spin(id, reads int, out []int64, wg *sync.WaitGroup) {
	defer wg.Done()
	start := time.Now()
	var sum int64
	last := start
	distinct := int64(0)
	for i := 0; i < reads; i++ {
		now := time.Now()
		if now != last {
			distinct++
		}
		last = now
		sum += now.Sub(start).Nanoseconds() & 0xff
		racy++ // unsynchronized on purpose
	}
	out[id] = distinct
	_ = sum
}

func main() {
	reads := 200000
	if len(os.Args) > 1 {
		if n, err := strconv.Atoi(os.Args[1]); err == nil {
			reads = n
		}
	}
	const workers = 3
	out := make([]int64, workers)
	var wg sync.WaitGroup
	t0 := time.Now()
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go spin(i, reads, out, &wg)
	}
	wg.Wait()
	total := int64(0)
	for _, d := range out {
		total += d
	}
	fmt.Printf("reads: %d\n", workers*reads)
	fmt.Printf("distinct clock values seen: %d\n", total)
	fmt.Printf("racy counter: %d\n", racy)
	fmt.Printf("elapsed: %d ns\n", time.Since(t0).Nanoseconds())
}
