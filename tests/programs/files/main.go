// files: temp dir, write/read/stat/list/rename/remove files (openat, write,
// read, fstat/newfstatat, getdents64, renameat, unlinkat, mkdirat, mmap of
// a file).
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
)

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

func main() {
	dir, err := os.MkdirTemp("", "grr-files-")
	must(err)
	defer os.RemoveAll(dir)
	for i := 0; i < 5; i++ {
		name := filepath.Join(dir, fmt.Sprintf("f%d.txt", i))
		must(os.WriteFile(name, []byte(strings.Repeat(fmt.Sprintf("line %d\n", i), i+1)), 0o644))
	}
	must(os.Mkdir(filepath.Join(dir, "sub"), 0o755))
	must(os.Rename(filepath.Join(dir, "f4.txt"), filepath.Join(dir, "sub", "moved.txt")))

	f, err := os.OpenFile(filepath.Join(dir, "f0.txt"), os.O_APPEND|os.O_WRONLY, 0)
	must(err)
	_, err = f.WriteString("appended\n")
	must(err)
	must(f.Close())

	entries, err := os.ReadDir(dir)
	must(err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	fmt.Println("entries:", strings.Join(names, " "))
	for _, n := range names {
		p := filepath.Join(dir, n)
		st, err := os.Stat(p)
		must(err)
		if st.IsDir() {
			fmt.Printf("%s: dir\n", n)
			continue
		}
		data, err := os.ReadFile(p)
		must(err)
		fmt.Printf("%s: size %d, lines %d, mode %v\n", n, st.Size(), strings.Count(string(data), "\n"), st.Mode().Perm())
	}
	data, err := os.ReadFile(filepath.Join(dir, "sub", "moved.txt"))
	must(err)
	fmt.Printf("moved: %d bytes\n", len(data))

	// A file mapped into memory: replay must find its bytes without it.
	mf, err := os.Open(filepath.Join(dir, "sub", "moved.txt"))
	must(err)
	mapped, err := syscall.Mmap(int(mf.Fd()), 0, len(data), syscall.PROT_READ, syscall.MAP_SHARED)
	must(err)
	fmt.Printf("mapped: %q\n", strings.SplitN(string(mapped), "\n", 2)[0])
	must(syscall.Munmap(mapped))
	must(mf.Close())
	must(os.Remove(filepath.Join(dir, "f1.txt")))
	if _, err := os.Stat(filepath.Join(dir, "f1.txt")); os.IsNotExist(err) {
		fmt.Println("f1.txt removed")
	}
	must(os.RemoveAll(dir))
	if _, err := os.Stat(dir); os.IsNotExist(err) {
		fmt.Println("temp dir removed")
	}
}
