// signals: signal.Notify for SIGUSR1 and SIGINT, sends them to itself with
// kill(2) and receives them (rt_sigaction, tgkill/kill, signal delivery
// while the runtime's signal thread is blocked in a futex/pipe).
package main

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	ch := make(chan os.Signal, 4)
	signal.Notify(ch, syscall.SIGUSR1, syscall.SIGINT)
	pid := os.Getpid()
	for _, s := range []syscall.Signal{syscall.SIGUSR1, syscall.SIGINT, syscall.SIGUSR1} {
		if err := syscall.Kill(pid, s); err != nil {
			fmt.Fprintln(os.Stderr, "kill:", err)
			os.Exit(1)
		}
		select {
		case got := <-ch:
			fmt.Println("received:", got)
		case <-time.After(5 * time.Second):
			fmt.Println("timeout waiting for", s)
			os.Exit(1)
		}
	}
	signal.Stop(ch)
	signal.Ignore(syscall.SIGUSR2)
	syscall.Kill(pid, syscall.SIGUSR2)
	fmt.Println("SIGUSR2 ignored; done")
}
