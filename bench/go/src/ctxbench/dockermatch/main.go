// dockermatch judges paths read from stdin, one per line, against an ignore
// file the way the docker CLI validates a context: docker's ignore-file reader
// and patternmatcher's MatchesOrParentMatches. It prints one verdict line per
// path, so it does the same work as `ctxpack why --ignore-file FILE --stdin`.
package main

import (
	"bufio"
	"fmt"
	"os"

	"github.com/docker/docker/builder/dockerignore"
	"github.com/moby/patternmatcher"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: dockermatch IGNOREFILE < paths")
		os.Exit(2)
	}
	if err := run(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "dockermatch:", err)
		os.Exit(2)
	}
}

func run(ignoreFile string) error {
	f, err := os.Open(ignoreFile)
	if err != nil {
		return err
	}
	patterns, err := dockerignore.ReadAll(f)
	f.Close()
	if err != nil {
		return err
	}
	pm, err := patternmatcher.New(patterns)
	if err != nil {
		return err
	}

	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 64*1024), 1024*1024)
	out := bufio.NewWriterSize(os.Stdout, 64*1024)
	for in.Scan() {
		path := in.Text()
		excluded, err := pm.MatchesOrParentMatches(path)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		verdict := "included"
		if excluded {
			verdict = "excluded"
		}
		out.WriteString(verdict)
		out.WriteByte('\t')
		out.WriteString(path)
		out.WriteByte('\n')
	}
	if err := in.Err(); err != nil {
		return err
	}
	return out.Flush()
}
