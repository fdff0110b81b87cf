// twofaced: one program, two behaviours chosen at build time, with the
// same code and layout, for the tests of the replay sandbox: built with
// -ldflags '-X main.mode=benign!' it only prints; with -X main.mode=hostile
// (as long, so that both builds have the same memory layout, and, with the
// same -buildid, the same build id) it creates FILE, connects to ADDR and
// runs a child that appends to MARKER, as a swapped executable would.
// Usage: twofaced FILE ADDR MARKER.
package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"
)

var mode = "benign!"

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: twofaced FILE ADDR MARKER")
		os.Exit(2)
	}
	fmt.Println("mode", mode)
	if mode == "hostile" {
		file, addr, marker := os.Args[1], os.Args[2], os.Args[3]
		os.WriteFile(file, []byte("written by twofaced\n"), 0o644)
		if c, err := net.Dial("tcp", addr); err == nil {
			fmt.Fprintln(c, "hello from twofaced")
			c.Close()
		}
		exec.Command("/bin/sh", "-c", "echo child >> \"$1\"", "sh", marker).Run()
	}
	for i := 0; i < 3; i++ {
		fmt.Println("line", i)
	}
}
