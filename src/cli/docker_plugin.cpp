#include "docker_plugin.h"

#include <cstdio>
#include <cstring>
#include <string_view>

namespace ctxpack::cli {

namespace {
constexpr std::string_view kPluginName = "docker-ctxpack";
// What `docker --help` and `docker info` show; the schema version is the
// one the docker CLI has required since plugins began (cli-plugins/metadata).
constexpr const char* kMetadata =
    R"({"SchemaVersion":"0.1.0","Vendor":"ctxpack","Version":"%s",)"
    R"("ShortDescription":"See, explain, audit and pack the build context"})"
    "\n";
}  // namespace

std::optional<int> run_as_docker_plugin(int& argc, char** argv) {
  std::string_view self = argc > 0 ? argv[0] : "";
  if (auto slash = self.rfind('/'); slash != std::string_view::npos) self.remove_prefix(slash + 1);
  if (self != kPluginName) return std::nullopt;
  if (argc > 1 && std::strcmp(argv[1], "docker-cli-plugin-metadata") == 0) {
    std::printf(kMetadata, CTXPACK_VERSION);
    return 0;
  }
  // Usage lines then read as the user typed them.
  static char name[] = "docker ctxpack";
  argv[0] = name;
  if (argc > 1 && std::strcmp(argv[1], "ctxpack") == 0) {
    // argv[argc] is the null pointer, and moves with the rest.
    std::memmove(argv + 1, argv + 2, (argc - 1) * sizeof *argv);
    --argc;
  }
  return std::nullopt;
}

}  // namespace ctxpack::cli
