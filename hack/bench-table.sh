#!/bin/sh
# Prints `go test -bench` output as a table, one row per benchmark figure,
# and passes on the lines that are not results (failures among them).
awk '
/^Benchmark/ {
	name = $1; sub(/-[0-9]+$/, "", name)
	for (i = 3; i < NF; i += 2) printf "%-48s %16s  %s\n", name, $i, $(i + 1)
	next
}
/^(ok|PASS$|goos|goarch|pkg|cpu)/ || /no test files/ { next }
{ print }
'
