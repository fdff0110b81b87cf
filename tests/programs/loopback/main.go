// loopback: a TCP echo server on 127.0.0.1:0 and a client sending 100
// messages (socket, bind, listen, accept4, connect, epoll, read/write).
package main

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"strings"
)

func main() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "listen:", err)
		os.Exit(1)
	}
	done := make(chan int)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			fmt.Fprintln(os.Stderr, "accept:", err)
			os.Exit(1)
		}
		defer c.Close()
		r := bufio.NewReader(c)
		n := 0
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				break
			}
			n++
			if _, err := c.Write([]byte(strings.ToUpper(line))); err != nil {
				break
			}
		}
		done <- n
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		fmt.Fprintln(os.Stderr, "dial:", err)
		os.Exit(1)
	}
	r := bufio.NewReader(c)
	total := 0
	for i := 0; i < 100; i++ {
		fmt.Fprintf(c, "message %d\n", i)
		reply, err := r.ReadString('\n')
		if err != nil {
			fmt.Fprintln(os.Stderr, "read:", err)
			os.Exit(1)
		}
		total += len(reply)
		if i%25 == 0 {
			fmt.Print("reply: ", reply)
		}
	}
	c.(*net.TCPConn).CloseWrite()
	fmt.Println("server saw", <-done, "messages; client got", total, "bytes")
	c.Close()
	ln.Close()
}
