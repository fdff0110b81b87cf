// exitcode: prints a line then exits with status 3 (os.Exit, deferred
// functions do not run).
package main

import (
	"fmt"
	"os"
)

func main() {
	defer fmt.Println("never printed")
	fmt.Println("exiting with status 3")
	os.Exit(3)
}
