// dockertar packs a build context the way the classic docker CLI 20.10 does
// before uploading it, using moby 20.10's own code: the .dockerignore read by
// docker's reader, the Dockerfile and .dockerignore re-added when excluded,
// and pkg/archive.TarWithOptions with root ownership. The tar goes to stdout.
// It is the "Docker's own code" baseline for `ctxpack pack --builder legacy`.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/docker/docker/builder/dockerignore"
	"github.com/docker/docker/pkg/archive"
	"github.com/docker/docker/pkg/fileutils"
	"github.com/docker/docker/pkg/idtools"
)

func main() {
	compress := flag.String("compress", "none", "none or gzip (the only formats moby 20.10 writes)")
	dockerfile := flag.String("f", "Dockerfile", "Dockerfile path relative to the context")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: dockertar [-compress none|gzip] [-f Dockerfile] CONTEXT")
		os.Exit(2)
	}
	if err := run(flag.Arg(0), *dockerfile, *compress); err != nil {
		fmt.Fprintln(os.Stderr, "dockertar:", err)
		os.Exit(1)
	}
}

func run(contextDir, dockerfile, compress string) error {
	var compression archive.Compression
	switch compress {
	case "none":
		compression = archive.Uncompressed
	case "gzip":
		compression = archive.Gzip
	default:
		return fmt.Errorf("unsupported compression %q", compress)
	}

	excludes, err := readExcludes(contextDir)
	if err != nil {
		return err
	}
	// The CLI keeps the files the daemon needs even when the ignore file
	// excludes them, using the single-ancestor Matches of its era.
	if keep, _ := fileutils.Matches(".dockerignore", excludes); keep {
		excludes = append(excludes, "!.dockerignore")
	}
	if keep, _ := fileutils.Matches(filepath.ToSlash(dockerfile), excludes); keep {
		excludes = append(excludes, "!"+dockerfile)
	}

	rc, err := archive.TarWithOptions(contextDir, &archive.TarOptions{
		ExcludePatterns: excludes,
		ChownOpts:       &idtools.Identity{UID: 0, GID: 0},
		Compression:     compression,
	})
	if err != nil {
		return err
	}
	defer rc.Close()
	_, err = io.Copy(os.Stdout, rc)
	return err
}

func readExcludes(contextDir string) ([]string, error) {
	f, err := os.Open(filepath.Join(contextDir, ".dockerignore"))
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return dockerignore.ReadAll(f)
}
