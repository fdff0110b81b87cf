// timeprint: reads the clock (vDSO clock_gettime under the hood) and sleeps;
// the output is nondeterministic and must be reproduced by replay.
package main

import (
	"fmt"
	"time"
)

func main() {
	start := time.Now()
	fmt.Println("now:", start.Format(time.RFC3339Nano))
	fmt.Println("unix nanos:", start.UnixNano())
	for i := 0; i < 3; i++ {
		time.Sleep(20 * time.Millisecond)
		fmt.Printf("after sleep %d: elapsed %d ns\n", i, time.Since(start).Nanoseconds())
	}
	t := time.NewTimer(10 * time.Millisecond)
	<-t.C
	fmt.Println("timer fired; monotonic elapsed:", time.Since(start))
	fmt.Println("wall now:", time.Now().UnixNano())
}
