// child: os/exec of /bin/echo and /bin/sh (clone/vfork + execve in the
// child, pipes, wait4); prints their output and exit codes.
package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
)

func main() {
	out, err := exec.Command("/bin/echo", "hi").Output()
	if err != nil {
		fmt.Fprintln(os.Stderr, "echo:", err)
		os.Exit(1)
	}
	fmt.Printf("echo said: %q\n", out)

	err = exec.Command("/bin/sh", "-c", "exit 3").Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		fmt.Println("sh exit code:", ee.ExitCode())
	} else {
		fmt.Println("sh: unexpected result:", err)
		os.Exit(1)
	}

	cmd := exec.Command("/bin/sh", "-c", "read x; echo got $x; echo to-stderr >&2")
	cmd.Stdin = nil
	stdin, err := cmd.StdinPipe()
	if err != nil {
		fmt.Fprintln(os.Stderr, "pipe:", err)
		os.Exit(1)
	}
	go func() {
		fmt.Fprintln(stdin, "piped")
		stdin.Close()
	}()
	combined, err := cmd.CombinedOutput()
	fmt.Printf("sh pipeline: %q err=%v\n", combined, err)
}
