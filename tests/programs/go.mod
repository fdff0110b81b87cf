module grr.test/programs

go 1.19
