// httpecho: a net/http server on loopback and a client doing K requests
// (argument K, default 200) over keep-alive connections.  Used by benchmarks.
package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
)

func main() {
	k := 200
	if len(os.Args) > 1 {
		v, err := strconv.Atoi(os.Args[1])
		if err != nil || v < 0 {
			fmt.Fprintln(os.Stderr, "usage: httpecho [REQUESTS]")
			os.Exit(2)
		}
		k = v
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "listen:", err)
		os.Exit(1)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "text/plain")
		w.Write([]byte(strings.ToUpper(string(body))))
	})
	srv := &http.Server{Handler: mux}
	go srv.Serve(ln)

	client := &http.Client{}
	url := "http://" + ln.Addr().String() + "/echo"
	total := 0
	for i := 0; i < k; i++ {
		resp, err := client.Post(url, "text/plain", strings.NewReader(fmt.Sprintf("request %d", i)))
		if err != nil {
			fmt.Fprintln(os.Stderr, "post:", err)
			os.Exit(1)
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 200 {
			fmt.Fprintln(os.Stderr, "response:", resp.Status, err)
			os.Exit(1)
		}
		total += len(b)
		if i == k-1 {
			fmt.Printf("last reply: %s\n", b)
		}
	}
	srv.Close()
	fmt.Printf("%d requests, %d reply bytes\n", k, total)
}
