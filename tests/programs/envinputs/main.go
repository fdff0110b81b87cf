// envinputs: what a program takes from outside, for the tests of what a
// trace carries: prints the size of FILE and of its stdin, then, for each
// NAME, NAME=VALUE if the variable is set, or "NAME unset".
// Usage: envinputs FILE NAME...
package main

import (
	"fmt"
	"io"
	"os"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: envinputs FILE NAME...")
		os.Exit(2)
	}
	data, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
	fmt.Printf("file: %d bytes\n", len(data))
	in, err := io.ReadAll(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
	fmt.Printf("stdin: %d bytes\n", len(in))
	for _, name := range os.Args[2:] {
		if v, ok := os.LookupEnv(name); ok {
			fmt.Printf("%s=%s\n", name, v)
		} else {
			fmt.Printf("%s unset\n", name)
		}
	}
}
