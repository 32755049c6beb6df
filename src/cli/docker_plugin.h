// The docker CLI plugin protocol, so that the same binary, installed as
// lib/docker/cli-plugins/docker-ctxpack, runs as `docker ctxpack ...`.
#pragma once

#include <optional>

namespace ctxpack::cli {

// When the program runs as docker-ctxpack: answers docker's
// `docker-cli-plugin-metadata` query (and returns the exit status), or
// drops the command name docker passes first (`docker-ctxpack ctxpack ls`)
// so that the rest parses as for ctxpack. Otherwise leaves argv alone.
std::optional<int> run_as_docker_plugin(int& argc, char** argv);

}  // namespace ctxpack::cli
