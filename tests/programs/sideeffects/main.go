// sideeffects: effects outside the process, which replay must not redo:
// creates a file, connects to a TCP address and sends a line, runs a child
// process that appends to a marker file.  Usage: sideeffects FILE ADDR MARKER.
package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"
)

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: sideeffects FILE ADDR MARKER")
		os.Exit(2)
	}
	file, addr, marker := os.Args[1], os.Args[2], os.Args[3]
	if err := os.WriteFile(file, []byte("written by sideeffects\n"), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
	fmt.Println("created", file)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
	n, err := fmt.Fprintln(c, "hello from sideeffects")
	c.Close()
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
	fmt.Printf("sent %d bytes to the listener\n", n)
	if err := exec.Command("/bin/sh", "-c", "echo child >> \"$1\"", "sh", marker).Run(); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
	fmt.Println("child appended to the marker")
}
