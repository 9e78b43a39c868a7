// Command peers runs the peer goroutine-dump parsers that BENCHMARKS.md compares goroscope with.
// Both are fetched from the Go module proxy (see go.mod); no peer code lives in this repository.
//
//	peers gostackparse FILE   DataDog/gostackparse: Parse; prints goroutine count
//	peers panicparse FILE     maruel/panicparse/v2: ScanSnapshot + Aggregate(AnyPointer);
//	                          prints goroutine and bucket counts
//
// Output is one JSON line on stdout so bench/run.mjs can check counts against goroscope.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/DataDog/gostackparse"
	"github.com/maruel/panicparse/v2/stack"
)

type result struct {
	Tool       string `json:"tool"`
	Goroutines int    `json:"goroutines"`
	Buckets    int    `json:"buckets,omitempty"`
	Errors     int    `json:"errors"`
	FirstError string `json:"firstError,omitempty"`
	Snapshots  int    `json:"snapshots,omitempty"`
	// Phase times in seconds, measured inside the process.
	ParseSeconds     float64 `json:"parseSeconds"`
	AggregateSeconds float64 `json:"aggregateSeconds,omitempty"`
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: peers gostackparse|panicparse FILE")
		os.Exit(2)
	}
	f, err := os.Open(os.Args[2])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer f.Close()
	var res result
	switch os.Args[1] {
	case "gostackparse":
		res = runGostackparse(f)
	case "panicparse":
		res = runPanicparse(f)
	default:
		fmt.Fprintln(os.Stderr, "unknown tool", os.Args[1])
		os.Exit(2)
	}
	out, _ := json.Marshal(res)
	fmt.Println(string(out))
}

func runGostackparse(r io.Reader) result {
	// Parse buffers its input itself (bufio.Scanner).
	t0 := time.Now()
	gs, errs := gostackparse.Parse(r)
	res := result{Tool: "gostackparse", Goroutines: len(gs), Errors: len(errs), ParseSeconds: time.Since(t0).Seconds()}
	if len(errs) > 0 {
		res.FirstError = errs[0].Error()
	}
	return res
}

func runPanicparse(r io.Reader) result {
	// Fairness: no disk scanning (GuessPaths), no source parsing (AnalyzeSources) and no
	// pointer naming (NameArguments): goroscope does none of these. Only parse + aggregate.
	opts := &stack.Opts{NameArguments: false, GuessPaths: false, AnalyzeSources: false}
	res := result{Tool: "panicparse"}
	t0 := time.Now()
	in := bufio.NewReaderSize(r, 1<<20)
	var goroutines []*stack.Goroutine
	var rd io.Reader = in
	for {
		s, suffix, err := stack.ScanSnapshot(rd, io.Discard, opts)
		if s != nil {
			res.Snapshots++
			goroutines = append(goroutines, s.Goroutines...)
		}
		if err != nil {
			if err != io.EOF {
				res.Errors++
				if res.FirstError == "" {
					res.FirstError = err.Error()
				}
			}
			break
		}
		// Anything after a snapshot (another dump, junk) is scanned again, like panicparse's CLI.
		rd = io.MultiReader(bytes.NewReader(suffix), in)
	}
	res.Goroutines = len(goroutines)
	res.ParseSeconds = time.Since(t0).Seconds()
	if len(goroutines) > 0 {
		t1 := time.Now()
		snap := &stack.Snapshot{Goroutines: goroutines}
		res.Buckets = len(snap.Aggregate(stack.AnyPointer).Buckets)
		res.AggregateSeconds = time.Since(t1).Seconds()
	}
	return res
}
