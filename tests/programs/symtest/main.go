// symtest is the symbol layer's test program (tests/unit/test_symbols.c
// builds it with each toolchain, optimized and with -gcflags=all=-N -l).
// The test finds the lines it checks by their "// @name" markers, so lines
// may move freely; keep each marker on the line it names.
package main

import (
	"fmt"
	"os"
)

// Tally's add has a pointer receiver: main.(*Tally).add.
type Tally struct {
	name  string
	total int
	adds  int
}

var calls int

//go:noinline
func (t *Tally) add(v int) int {
	t.total += v // @add_body
	t.adds++
	return t.total
}

// twice is small enough to be inlined, and is called from two functions,
// so an optimized build has two inlined copies of its body.
func twice(v int) int {
	calls++ // @twice_body
	return v * 2
}

//go:noinline
func compute(t *Tally, n int) int {
	sum := 0
	for i := 0; i < n; i++ {
		sum += twice(i) // @inl_call1
	}
	return sum + t.add(n)
}

func main() {
	t := &Tally{name: "main"} // @main_body
	inc := func(d int) { // a closure: main.main.func1
		t.total += d // @closure_body
	}
	for i := 0; i < len(os.Args)+2; i++ {
		inc(i)
	}
	r := compute(t, 3) + twice(len(os.Args)) // @inl_call2
	fmt.Println(describe(t), r, calls) // @main_print
}

// @no_code
