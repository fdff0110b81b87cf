// random: math/rand seeded from the clock plus crypto/rand (getrandom(2));
// nondeterministic output.
package main

import (
	crand "crypto/rand"
	"encoding/hex"
	"fmt"
	"math/rand"
	"os"
	"time"
)

func main() {
	r := rand.New(rand.NewSource(time.Now().UnixNano()))
	fmt.Print("math/rand:")
	for i := 0; i < 8; i++ {
		fmt.Printf(" %d", r.Intn(1000))
	}
	fmt.Println()
	fmt.Println("global rand:", rand.Int63())
	buf := make([]byte, 32)
	if _, err := crand.Read(buf); err != nil {
		fmt.Fprintln(os.Stderr, "crypto/rand:", err)
		os.Exit(1)
	}
	fmt.Println("crypto/rand:", hex.EncodeToString(buf))
}
