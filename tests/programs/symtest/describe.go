package main

import "fmt"

// describe lives in a second file of the package.
//
//go:noinline
func describe(t *Tally) string {
	return fmt.Sprintf("%s: total %d in %d adds", t.name, t.total, t.adds) // @describe_body
}
