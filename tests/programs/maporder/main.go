// maporder: Go randomizes map iteration order (runtime fastrand seeded at
// startup from AT_RANDOM / getrandom); prints the order of 50 keys.
package main

import (
	"fmt"
	"strings"
)

func main() {
	m := make(map[string]int, 50)
	for i := 0; i < 50; i++ {
		m[fmt.Sprintf("k%02d", i)] = i
	}
	var order []string
	sum := 0
	for k, v := range m {
		order = append(order, k)
		sum += v
	}
	fmt.Println("order:", strings.Join(order, " "))
	fmt.Println("sum:", sum)
}
