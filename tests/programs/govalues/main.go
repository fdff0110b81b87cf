// govalues holds values of every kind for the debugger's print, locals,
// whatis and conditions (tests/e2e/t_values.sh).  At the lines marked
// "// @name" the program prints its own view of the values; the test stops
// there and compares what grr prints with it.
package main

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
)

type Person struct {
	First, Last string
	Age         int
}

type Account struct {
	Name    string
	Balance int
	Owner   *Person
	Tags    []string
}

type Celsius float64
type Color int
type Names []string

type Inner3 struct{ C string }
type Inner2 struct {
	B  int
	In Inner3
}
type Inner1 struct {
	A  int
	In Inner2
}
type Deep struct {
	Level int
	In    Inner1
}

type Shape interface{ Area() int }
type Square struct{ Side int }

func (s Square) Area() int { return s.Side * s.Side }

var (
	counter  int     = 42
	greeting string  = "hi \"you\"\n\ttab é"
	ratio    float64 = 3.25
	small    float32 = 1.5
	flag     bool    = true
	i8       int8    = -5
	u16      uint16  = 65000
	ints             = make([]int, 3, 4)
	arr              = [3]int{7, 8, 9}
	acct             = Account{Name: "bob", Balance: 10}
	acctPtr  *Account
	nilAcct  *Account
	byName         = map[string]int{"a": 1, "b": 2}
	byID           = map[int]string{1: "one", 2: "two", 3: "three"}
	bigMap         = map[int]int{}
	err1     error = errors.New("boom")
	nilErr   error
	anyInt   interface{} = 5
	anyStr   any         = Person{First: "Al", Age: 7}
	shape    Shape       = Square{Side: 3}
	ch                   = make(chan int, 4)
	nilCh    chan int
	temp     Celsius = 21.5
	color    Color   = 2
	names            = Names{"x", "y"}
	long             = make([]int, 100)
	longStr          = strings.Repeat("ab", 50)
	deep             = Deep{Level: 1, In: Inner1{A: 2, In: Inner2{B: 3, In: Inner3{C: "bottom"}}}}
	fn               = add
	emptySl  []int
	bs       = []byte("hi")
)

//go:noinline
func add(a, b int) int { return a + b }

// printed and finished mark the moments the test stops at: after the
// program printed its own view of the values, and after the loop.
//
//go:noinline
func printed() {}

//go:noinline
func finished(total int) int { return total }

var keepSquare Square // keeps main.Square's type in DWARF in optimized builds

// sortedMap prints a map's entries sorted by key, as "k: v, " each.
func sortedMap[K int | string, V any](m map[K]V, kf, vf string) string {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, kf+": "+vf+", ", k, m[k])
	}
	return b.String()
}

//go:noinline
func inspect(acct *Account, limit int, label string) int {
	total := 0
	local := []string{"p", "q"}
	for i := 0; i < limit; i++ {
		total += i * acct.Balance
	}
	who := acct.Owner
	fmt.Println("inspect", label, limit, total, len(local), who.First) // @inspect
	return total
}

func main() {
	ints[0], ints[1], ints[2] = 1, 2, 3
	for i := range long {
		long[i] = i
	}
	for i := 0; i < 20; i++ {
		bigMap[i] = i * i
	}
	ch <- 10
	ch <- 20
	acctPtr = &Account{Name: "ann", Balance: -3, Owner: &Person{First: "Ann", Last: "Lee", Age: 40},
		Tags: []string{"vip", "new"}}
	// the program's own view, in Delve's layout (t_values.sh compares)
	fmt.Printf("counter = %d\n", counter)
	fmt.Printf("greeting = %q\n", greeting)
	fmt.Printf("ratio = %v\n", ratio)
	fmt.Printf("small = %v\n", small)
	fmt.Printf("flag = %v\n", flag)
	fmt.Printf("i8 = %d\n", i8)
	fmt.Printf("u16 = %d\n", u16)
	fmt.Printf("ints = []int len: %d, cap: %d, %s\n", len(ints), cap(ints), strings.Join(strings.Fields(fmt.Sprint(ints)), ","))
	fmt.Printf("arr = [3]int %s\n", strings.Join(strings.Fields(fmt.Sprint(arr)), ","))
	fmt.Printf("acct = main.Account {Name: %q, Balance: %d, Owner: *main.Person nil, Tags: []string len: 0, cap: 0, nil}\n", acct.Name, acct.Balance)
	fmt.Printf("nilAcct = *main.Account nil\n")
	fmt.Printf("byName = map[string]int [%s]\n", sortedMap(byName, "%q", "%d"))
	fmt.Printf("byID = map[int]string [%s]\n", sortedMap(byID, "%d", "%q"))
	fmt.Printf("bigMap = map[int]int [%s]\n", sortedMap(bigMap, "%d", "%d"))
	fmt.Printf("err1 = error(*errors.errorString) *{s: %q}\n", err1.Error())
	fmt.Printf("nilErr = error nil\n")
	fmt.Printf("anyInt = interface {}(int) %v\n", anyInt)
	fmt.Printf("shape = main.Shape(main.Square) {Side: %d}\n", shape.(Square).Side)
	fmt.Printf("ch = chan int %d/%d\n", len(ch), cap(ch))
	fmt.Printf("temp = %v\n", float64(temp))
	fmt.Printf("color = %d\n", color)
	fmt.Printf("names = main.Names len: %d, cap: %d, [%q,%q]\n", len(names), cap(names), names[0], names[1])
	fmt.Printf("bs = []uint8 len: %d, cap: %d, [%d,%d]\n", len(bs), cap(bs), bs[0], bs[1])
	fmt.Printf("emptySl = []int len: 0, cap: 0, nil\n")
	fmt.Printf("fn = main.add\n")
	fmt.Printf("acctPtr.Owner.Age = %d\n", acctPtr.Owner.Age)
	fmt.Printf("len(long) = %d\n", len(long))
	fmt.Printf("long[42] = %d\n", long[42])
	fmt.Printf("byName[\"b\"] = %d\n", byName["b"])
	fmt.Printf("byID[3] = %q\n", byID[3])
	fmt.Printf("greeting[1] = %d\n", greeting[1])
	printed()
	total := 0
	for i := 0; i < 4; i++ {
		acct.Balance = 10 * i // @setbal
		total += inspect(acctPtr, i, fmt.Sprint("call", i))
	}
	finished(total)
	fmt.Println("done", total, nilAcct == nil, nilErr == nil, keepSquare.Side, nilCh == nil, anyStr != nil, fn(1, 2), longStr[:2], deep.Level, emptySl == nil) // @done
	os.Exit(0)
}
