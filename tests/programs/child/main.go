// child: os/exec of /bin/echo and /bin/sh (clone/vfork + execve in the
// child, pipes, wait4), and of the program itself (a static Go child at the
// parent's addresses, with goroutines, a pipe and a file of its own), also
// through /bin/sh (a grandchild); prints their output and exit codes, and
// the CPUs the program and a child (nproc) see: the same as natively,
// though grr runs the program on one CPU.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"
)

// asChild is the program run again by itself: it reads this source's
// directory listing size, talks to itself over a pipe from a goroutine,
// and exits with status 4.
func asChild() {
	r, w, err := os.Pipe()
	if err != nil {
		os.Exit(1)
	}
	go func() {
		fmt.Fprintln(w, "through the pipe")
		w.Close()
	}()
	b, _ := io.ReadAll(r)
	names, _ := os.ReadDir("/")
	fmt.Printf("self child: %q, / has entries: %v\n", b, len(names) > 0)
	os.Exit(4)
}

func main() {
	if os.Getenv("GRR_TEST_CHILD_SELF") == "1" {
		asChild()
	}
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

	self, err := os.Executable()
	if err != nil {
		fmt.Fprintln(os.Stderr, "executable:", err)
		os.Exit(1)
	}
	again := exec.Command(self)
	again.Env = append(os.Environ(), "GRR_TEST_CHILD_SELF=1")
	out, err = again.Output()
	code := -1
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	}
	fmt.Printf("self: %q exit code %d\n", out, code)

	// the program again, started by a shell: a grandchild, under the
	// seccomp filter of a recording
	viaSh := exec.Command("/bin/sh", "-c", `"$0"; echo "sh saw $?"`, self)
	viaSh.Env = again.Env
	out, err = viaSh.Output()
	fmt.Printf("self via sh: %q err=%v\n", out, err)

	nproc, err := exec.Command("nproc").Output()
	if err != nil {
		nproc = []byte("(no nproc)")
	}
	fmt.Printf("cpus: %d here, %s in a child\n", runtime.NumCPU(), strings.TrimSpace(string(nproc)))
}
