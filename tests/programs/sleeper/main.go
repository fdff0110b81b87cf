// sleeper: sleeps 2 s in total, in several timers and sleeps running
// concurrently and in sequence (nanosleep/futex/epoll_pwait timeouts).
// Mostly idle: used by benchmarks to measure recording overhead on waits.
package main

import (
	"fmt"
	"sync"
	"time"
)

func main() {
	start := time.Now()
	var wg sync.WaitGroup
	for i := 1; i <= 4; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			t := time.NewTimer(time.Duration(i) * 250 * time.Millisecond)
			<-t.C
		}(i)
	}
	wg.Wait() // 1 s
	for i := 0; i < 4; i++ {
		time.Sleep(250 * time.Millisecond) // 1 s more
	}
	tick := time.NewTicker(time.Millisecond)
	for i := 0; i < 5; i++ {
		<-tick.C
	}
	tick.Stop()
	el := time.Since(start)
	fmt.Println("slept at least 2s:", el >= 2*time.Second)
}
