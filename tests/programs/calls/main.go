// calls: functions of every kind for the debugger's `call` command
// (tests/e2e/t_calls.sh).  The program stops in main.stop (a breakpoint
// there is where the test calls them) and also calls them itself and
// prints the results, so the test can compare.  Lines the test looks for
// carry a "// @name" marker.
package main

import (
	"errors"
	"fmt"
	"os"
)

type Account struct {
	Name    string
	Balance int
}

//go:noinline
func (a Account) String() string { return fmt.Sprintf("%s:%d", a.Name, a.Balance) }

//go:noinline
func (a *Account) Deposit(n int) int {
	a.Balance += n
	return a.Balance
}

//go:noinline
func add(a, b int) int { return a + b }

//go:noinline
func greet(name string) string { return "hello " + name }

//go:noinline
func divmod(a, b int) (int, int) { return a / b, a % b }

//go:noinline
func check(n int) error {
	if n < 0 {
		return errors.New("negative")
	}
	return nil
}

//go:noinline
func boom() int { panic("boom") }

//go:noinline
func block() int {
	ch := make(chan int)
	return <-ch
}

//go:noinline
func sum(xs ...int) int {
	t := 0
	for _, x := range xs {
		t += x
	}
	return t
}

//go:noinline
func alloc(n int) []int { return make([]int, n) }

//go:noinline
func touch() int {
	f, err := os.Create("/tmp/grr-calls-must-not-exist")
	if err != nil {
		return -1
	}
	f.Close()
	return 1
}

//go:noinline
func shout(s string) int {
	fmt.Println("shout:", s)
	return len(s)
}

type Point struct{ X, Y int }

//go:noinline
func scale(p Point, k int) Point { return Point{p.X * k, p.Y * k} }

//go:noinline
func (p Point) Sum() int { return p.X + p.Y }

//go:noinline
func describe(v any) string { return fmt.Sprintf("%T=%v", v, v) }

//go:noinline
func norm(x, y float64) float64 { return x*x + y*y }

type Shape interface{ Area() int }
type Square struct{ Side int }

func (s Square) Area() int { return s.Side * s.Side }

//go:noinline
func area(s Shape) int { return s.Area() }

var (
	origin         = Point{3, 4}
	nums           = []int{1, 2, 3, 4}
	shape    Shape = Square{Side: 5}
	heapAcct       = &Account{Name: "heap", Balance: 7}
	sq             = Square{Side: 4}
	mulBy    func(int) int
)

//go:noinline
func stop(a *Account) int {
	return a.Balance // @stop
}

func main() {
	factor := len(os.Args) + 2 // 3: a captured variable
	mulBy = func(x int) int { return x * factor }
	a := &Account{Name: "bob", Balance: 10}
	stop(a)
	q, r := divmod(17, 5)
	fmt.Println("add", add(2, 40))
	fmt.Println("greet", greet("grr"))
	fmt.Println("divmod", q, r)
	fmt.Println("check", check(-1), check(1))
	fmt.Println("string", a.String())
	fmt.Println("sum", sum(1, 2, 3))
	fmt.Println("alloc", len(alloc(5)))
	fmt.Println("deposit", a.Deposit(5))
	fmt.Println("shout", shout("x"))
	fmt.Println("scale", scale(origin, 2))
	fmt.Println("pointsum", origin.Sum())
	fmt.Println("describe", describe(origin.X))
	fmt.Println("norm", norm(1.5, 2))
	fmt.Println("area", shape.Area())
	fmt.Println("numsum", sum(nums...))
	fmt.Println("mulby", mulBy(14))
	fmt.Println("heapstring", heapAcct.String())
	fmt.Println("area2", area(sq))
	if len(os.Args) > 5 { // never: keeps these in the binary for `call`
		fmt.Println(boom(), block(), touch())
	}
}
