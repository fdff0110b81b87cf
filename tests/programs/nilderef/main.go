// nilderef: a nil pointer dereference (SIGSEGV, handled by the runtime's
// signal handler and turned into a panic), recovered; exits 0.
package main

import (
	"fmt"
	"os"
)

type node struct {
	next *node
	val  int
}

//go:noinline
func deref(n *node) int { return n.next.val }

func try(n *node) (v int, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("recovered: %v", r)
		}
	}()
	return deref(n), nil
}

func main() {
	for i := 0; i < 3; i++ {
		_, err := try(&node{})
		fmt.Println(err)
	}
	v, err := try(&node{next: &node{val: 42}})
	fmt.Println("ok:", v, err)
	if err != nil {
		os.Exit(1)
	}
}
