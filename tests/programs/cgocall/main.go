// cgocall: a cgo program (dynamically linked, glibc): C calls from several
// goroutines, C memory, a C thread-local counter, and a callback into Go.
// Prints the same lines on every run.
package main

/*
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static __thread int calls;

extern int64_t goSquare(int64_t);

static char *describe(int n) {
	char *buf = malloc(64);
	snprintf(buf, 64, "c says %d*%d=%d", n, n, n * n);
	calls++;
	return buf;
}

static int64_t sum_squares(int n) {
	int64_t s = 0;
	for (int i = 1; i <= n; i++)
		s += goSquare(i);
	calls++;
	return s;
}

static int thread_calls(void) { return calls; }
*/
import "C"

import (
	"fmt"
	"sort"
	"sync"
	"unsafe"
)

//export goSquare
func goSquare(x C.int64_t) C.int64_t { return x * x }

func main() {
	var mu sync.Mutex
	var lines []string
	var wg sync.WaitGroup
	for g := 1; g <= 4; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				p := C.describe(C.int(g*100 + i))
				s := C.GoString(p)
				C.free(unsafe.Pointer(p))
				if i == 49 {
					mu.Lock()
					lines = append(lines, s)
					mu.Unlock()
				}
			}
		}(g)
	}
	wg.Wait()
	sort.Strings(lines)
	for _, l := range lines {
		fmt.Println(l)
	}
	fmt.Println("sum of squares 1..1000:", int64(C.sum_squares(1000)))
	fmt.Println("C calls on this thread > 0:", C.thread_calls() > 0)
}
