// hello: the smallest program; prints to stdout and stderr, exits 0.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Println("hello, world")
	fmt.Fprintln(os.Stderr, "hello, stderr")
	fmt.Printf("args: %q\n", os.Args[1:])
}
