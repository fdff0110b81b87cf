module grr.test/dap

go 1.21

require github.com/google/go-dap v0.12.0
