// --format and its shorthand --json, the same on every command that can
// print JSON, so that scripts and CI can always say --format json.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace ctxpack::cli {

// Adds --json and --format to `cmd`: `format` (which holds the default)
// receives one of `formats`; --json is --format json, and contradicting it
// with another --format is a usage error.
void add_format_options(CLI::App& cmd, std::string& format, const std::vector<std::string>& formats,
                        const std::string& help);

}  // namespace ctxpack::cli
