// bkmodel predicts two BuildKit context transfers for one directory, so that
// the daemon tests can tell which cases Debian's BuildKit can judge:
//
//   - "old": what Debian's docker.io 20.10 sends. Its client vendors an fsutil
//     from before August 2021: moby 20.10's pkg/fileutils matcher (whose
//     Matches looks at one ancestor only, and whose patterns are plain regular
//     expressions), an excluded directory walked into only when an exception's
//     literal text starts with its path -- and then sent itself, whether or
//     not anything below it is kept -- and any unreadable directory on the
//     way failing the transfer.
//   - "new": current BuildKit (fsutil's filter.go): patternmatcher with
//     per-pattern parent results, wildcard exceptions walked into, excluded
//     directories sent only before a kept descendant, permission errors on
//     skipped paths tolerated.
//
// It also answers what the 20.10 daemon does after a classic upload: which of
// .dockerignore and the Dockerfile it deletes from the received context.
//
// Usage: bkmodel CONTEXT IGNOREFILE DOCKERFILE
// IGNOREFILE is the ignore file BuildKit reads ("" for none); DOCKERFILE the
// Dockerfile's path relative to CONTEXT. Prints one JSON object:
//
//	{"old": {"entries": [[path, type], ...]} | {"error": "..."},
//	 "new": ...same...,
//	 "legacy_daemon_removes": [".dockerignore", "Dockerfile"] (those it deletes)}
//
// Built in GOPATH mode against Debian's packaged sources: moby 20.10
// (golang-github-docker-docker-dev, which also carries BuildKit's old
// ignore-file reader) and patternmatcher (golang-github-moby-patternmatcher-dev).
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/docker/docker/pkg/fileutils"
	"github.com/moby/buildkit/frontend/dockerfile/dockerignore"
	"github.com/moby/patternmatcher"
)

type entry [2]string

type result struct {
	Entries []entry `json:"entries,omitempty"`
	Error   string  `json:"error,omitempty"`
}

func kind(fi os.FileInfo) string {
	m := fi.Mode()
	switch {
	case m.IsDir():
		return "dir"
	case m&os.ModeSymlink != 0:
		return "symlink"
	case m&os.ModeNamedPipe != 0:
		return "fifo"
	case m&os.ModeSocket != 0:
		return "socket"
	case m&os.ModeCharDevice != 0:
		return "char"
	case m&os.ModeDevice != 0:
		return "block"
	}
	return "file"
}

// children lists a directory in byte order, as filepath.Walk and fsutil do.
func children(dir string) ([]string, error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	names, err := f.Readdirnames(-1)
	sort.Strings(names)
	return names, err
}

func join(dir, name string) string {
	if dir == "" {
		return name
	}
	return dir + "/" + name
}

func oldTransfer(root string, patterns []string) (out []entry, err error) {
	pm, err := fileutils.NewPatternMatcher(patterns)
	if err != nil {
		return nil, err
	}
	// A directory listed only because an exception's text reaches into it.
	reachedByException := func(dir string) bool {
		for _, p := range pm.Patterns() {
			if p.Exclusion() && strings.HasPrefix(p.String()+"/", dir+"/") {
				return true
			}
		}
		return false
	}
	// filepath.Walk lists a directory before its callback may skip it, and
	// the old callback fails on that error first: an unreadable directory
	// fails the transfer even when it is excluded.
	var walk func(dir string, names []string) error
	walk = func(dir string, names []string) error {
		for _, name := range names {
			rel := join(dir, name)
			fi, err := os.Lstat(filepath.Join(root, rel))
			if err != nil {
				return err
			}
			var below []string
			if fi.IsDir() {
				if below, err = children(filepath.Join(root, rel)); err != nil {
					return err
				}
			}
			excluded, err := pm.Matches(rel)
			if err != nil {
				return err
			}
			if excluded && !(fi.IsDir() && pm.Exclusions() && reachedByException(rel)) {
				continue
			}
			out = append(out, entry{rel, kind(fi)})
			if fi.IsDir() {
				if err := walk(rel, below); err != nil {
					return err
				}
			}
		}
		return nil
	}
	names, err := children(root)
	if err != nil {
		return nil, err
	}
	return out, walk("", names)
}

func withoutTrailingGlob(p string) string {
	return strings.TrimSuffix(strings.TrimSuffix(p, "/**"), "/*")
}

func newTransfer(root string, patterns []string) (out []entry, err error) {
	// patternmatcher 0.5.0 panics on the second use of a pattern that failed
	// to compile; current releases return the error again.
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("syntax error in pattern (%v)", r)
		}
	}()
	var pm *patternmatcher.PatternMatcher
	if len(patterns) > 0 {
		if pm, err = patternmatcher.New(patterns); err != nil {
			return nil, err
		}
	}
	prefixOnly := true
	if pm != nil {
		for _, p := range pm.Patterns() {
			if p.Exclusion() && strings.ContainsAny(withoutTrailingGlob(p.String()), `*[]?^\`) {
				prefixOnly = false
			}
		}
	}
	mayReach := func(dir string) bool {
		if !pm.Exclusions() {
			return false
		}
		if !prefixOnly {
			return true
		}
		for _, p := range pm.Patterns() {
			if p.Exclusion() && strings.HasPrefix(withoutTrailingGlob(p.String())+"/", dir+"/") {
				return true
			}
		}
		return false
	}
	// held: excluded directories walked into, sent before their first kept descendant.
	var held []entry
	var walk func(dir string, parent patternmatcher.MatchInfo, skipping bool) error
	walk = func(dir string, parent patternmatcher.MatchInfo, skipping bool) error {
		names, err := children(filepath.Join(root, dir))
		if err != nil {
			if skipping && os.IsPermission(err) {
				return nil
			}
			return err
		}
		for _, name := range names {
			rel := join(dir, name)
			fi, err := os.Lstat(filepath.Join(root, rel))
			if err != nil {
				return err
			}
			excluded, info := false, patternmatcher.MatchInfo{}
			if pm != nil {
				if excluded, info, err = pm.MatchesUsingParentResults(rel, parent); err != nil {
					return err
				}
			}
			if excluded {
				if fi.IsDir() && mayReach(rel) {
					held = append(held, entry{rel, "dir"})
					if err := walk(rel, info, true); err != nil {
						return err
					}
					if len(held) > 0 && held[len(held)-1][0] == rel {
						held = held[:len(held)-1]
					}
				}
				continue
			}
			out = append(out, held...)
			held = held[:0]
			out = append(out, entry{rel, kind(fi)})
			if fi.IsDir() {
				if err := walk(rel, info, false); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return out, walk("", patternmatcher.MatchInfo{}, false)
}

// legacyDaemonRemoves: the 20.10 daemon re-reads .dockerignore from the
// classic upload and deletes .dockerignore and the Dockerfile when
// fileutils.Matches (one ancestor, regex patterns) says they are excluded.
func legacyDaemonRemoves(root, dockerfile string) ([]string, error) {
	f, err := os.Open(filepath.Join(root, ".dockerignore"))
	if os.IsNotExist(err) {
		return []string{}, nil
	} else if err != nil {
		return nil, err
	}
	defer f.Close()
	patterns, err := dockerignore.ReadAll(f)
	if err != nil {
		return nil, err
	}
	removed := []string{}
	for _, name := range []string{".dockerignore", dockerfile} {
		if rm, _ := fileutils.Matches(name, patterns); rm {
			removed = append(removed, name)
		}
	}
	return removed, nil
}

func outcome(entries []entry, err error) result {
	if err != nil {
		return result{Error: err.Error()}
	}
	if entries == nil {
		entries = []entry{}
	}
	return result{Entries: entries}
}

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: bkmodel CONTEXT IGNOREFILE DOCKERFILE")
		os.Exit(2)
	}
	root, ignoreFile, dockerfile := os.Args[1], os.Args[2], os.Args[3]
	var patterns []string
	var readErr error
	if ignoreFile != "" {
		f, err := os.Open(ignoreFile)
		if err == nil {
			patterns, readErr = dockerignore.ReadAll(f)
			f.Close()
		} else if !os.IsNotExist(err) {
			readErr = err
		}
	}
	report := map[string]interface{}{}
	if readErr != nil {
		report["old"] = result{Error: readErr.Error()}
		report["new"] = result{Error: readErr.Error()}
	} else {
		report["old"] = outcome(oldTransfer(root, patterns))
		report["new"] = outcome(newTransfer(root, patterns))
	}
	if removed, err := legacyDaemonRemoves(root, dockerfile); err != nil {
		report["legacy_daemon_removes_error"] = err.Error()
	} else {
		report["legacy_daemon_removes"] = removed
	}
	if err := json.NewEncoder(os.Stdout).Encode(report); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
