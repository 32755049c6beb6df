// Command oracle answers matcher questions with Docker's own code, for the
// differential test in tests/conformance: the ignore-file reader Debian
// ships with moby (buildkit's dockerignore.ReadAll) and patternmatcher.
//
// Input (stdin), one record per line, every string hex-encoded so that any
// byte can appear in it:
//
//	F <content>           a case: an ignore file, read with ReadAll, then New
//	L <p1> <p2> ...       a case: patterns handed to New as they are
//	T <path>              a path to judge in the current case
//	E                     end of the case
//
// Output, per case:
//
//	R ok <p1> <p2> ...    ReadAll's patterns (R - for an L case)
//	R err <message>
//	N ok | N err <message>  New's result (absent when ReadAll failed)
//	V <mopm> <walk> <matches>  per path, when New succeeded; each verdict
//	                      is match, nomatch or error; walk is - for a path a
//	                      walk cannot produce (not clean, absolute, "..")
//	E
//
// mopm is MatchesOrParentMatches; walk is MatchesUsingParentResults called
// on every ancestor in turn, each fed the previous result, as go-archive and
// fsutil do; matches is the deprecated single-ancestor Matches.
//
// patternmatcher 0.5.0 (Debian's) panics when a pattern whose regular
// expression failed to compile is evaluated again; 0.6.1, which Docker uses
// now, returns the error every time. A recovered panic is reported as error,
// which is what 0.6.1 answers.
package main

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/dockerignore"
	"github.com/moby/patternmatcher"
)

func main() {
	in := bufio.NewReaderSize(os.Stdin, 1<<20)
	out := bufio.NewWriterSize(os.Stdout, 1<<20)
	defer out.Flush()
	var pm *patternmatcher.PatternMatcher
	for {
		line, err := in.ReadString('\n')
		if err != nil {
			if line == "" {
				return
			}
			fail("truncated input")
		}
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		switch fields[0] {
		case "F":
			content := unhex(arg(fields, 1))
			patterns, err := dockerignore.ReadAll(bytes.NewReader(content))
			if err != nil {
				fmt.Fprintf(out, "R err %s\n", enc(err.Error()))
				pm = nil
				continue
			}
			fmt.Fprint(out, "R ok")
			for _, p := range patterns {
				fmt.Fprintf(out, " %s", enc(p))
			}
			fmt.Fprintln(out)
			pm = compile(out, patterns)
		case "L":
			var patterns []string
			for _, f := range fields[1:] {
				patterns = append(patterns, string(unhex(f)))
			}
			fmt.Fprintln(out, "R -")
			pm = compile(out, patterns)
		case "T":
			if pm == nil {
				continue
			}
			path := string(unhex(arg(fields, 1)))
			fmt.Fprintf(out, "V %s %s %s\n", mopm(pm, path), walk(pm, path), matches(pm, path))
		case "E":
			fmt.Fprintln(out, "E")
		default:
			fail("unknown record " + fields[0])
		}
	}
}

func compile(out *bufio.Writer, patterns []string) *patternmatcher.PatternMatcher {
	pm, err := patternmatcher.New(patterns)
	if err != nil {
		fmt.Fprintf(out, "N err %s\n", enc(err.Error()))
		return nil
	}
	fmt.Fprintln(out, "N ok")
	return pm
}

func verdict(matched bool, err error) string {
	if err != nil {
		return "error"
	}
	if matched {
		return "match"
	}
	return "nomatch"
}

// judge runs f, turning 0.5.0's panic on a broken pattern into 0.6.1's error.
func judge(f func() (bool, error)) (v string) {
	defer func() {
		if recover() != nil {
			v = "error"
		}
	}()
	return verdict(f())
}

func mopm(pm *patternmatcher.PatternMatcher, path string) string {
	return judge(func() (bool, error) { return pm.MatchesOrParentMatches(path) })
}

func matches(pm *patternmatcher.PatternMatcher, path string) string {
	return judge(func() (bool, error) { return pm.Matches(path) })
}

func walk(pm *patternmatcher.PatternMatcher, path string) string {
	if path == "." || path != filepath.Clean(path) || strings.HasPrefix(path, "/") {
		return "-"
	}
	parts := strings.Split(path, "/")
	for _, p := range parts {
		if p == ".." {
			return "-"
		}
	}
	return judge(func() (bool, error) {
		var info patternmatcher.MatchInfo
		var matched bool
		var err error
		for i := range parts {
			matched, info, err = pm.MatchesUsingParentResults(strings.Join(parts[:i+1], "/"), info)
			if err != nil {
				return false, err
			}
		}
		return matched, nil
	})
}

func arg(fields []string, i int) string {
	if i < len(fields) {
		return fields[i]
	}
	return ""
}

// enc and unhex write "-" for the empty string, so that it stays a field.
func enc(s string) string {
	if s == "" {
		return "-"
	}
	return hex.EncodeToString([]byte(s))
}

func unhex(s string) []byte {
	if s == "-" {
		return nil
	}
	b, err := hex.DecodeString(s)
	if err != nil {
		fail("bad hex: " + s)
	}
	return b
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, "oracle:", msg)
	os.Exit(2)
}
