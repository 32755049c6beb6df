// ctxpack: shows, explains, audits and packs the Docker build context.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <iostream>

#include "commands.h"
#include "docker_plugin.h"
#include "ctxpack/context/context.h"
#include "ctxpack/support/error.h"

int main(int argc, char** argv) {
  using namespace ctxpack;
  if (auto status = cli::run_as_docker_plugin(argc, argv)) return *status;
  std::ios::sync_with_stdio(false);
  static char out_buf[1 << 16];
  std::setvbuf(stdout, out_buf, _IOFBF, sizeof out_buf);
  CLI::App app{"ctxpack: see, explain, audit and pack exactly the build context Docker sends"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("ctxpack ") + CTXPACK_VERSION);
  cli::Runner run;
  cli::register_all(app, run);
  // CLI11 would say "A subcommand is required" of a misspelt one.
  const auto subcommands = app.get_subcommands([](const CLI::App*) { return true; });
  const bool known = argc > 1 && std::any_of(subcommands.begin(), subcommands.end(),
                                             [&](const CLI::App* c) { return c->get_name() == argv[1]; });
  if (argc > 1 && argv[1][0] != '-' && !known) {
    std::fprintf(stderr, "ctxpack: unknown command \"%s\" (see ctxpack --help)\n", argv[1]);
    return 2;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // One line, like every other error, and the usage error status.
    std::string msg = e.what();
    if (auto nl = msg.find('\n'); nl != std::string::npos) msg.resize(nl);
    std::fprintf(stderr, "ctxpack: %s (see ctxpack --help)\n", msg.c_str());
    return 2;
  }
  try {
    int status = run();
    if (std::fflush(stdout) != 0) {
      std::fprintf(stderr, "ctxpack: writing output: %s\n", std::strerror(errno));
      return 2;
    }
    return status;
  } catch (const MissingDockerfile& e) {
    std::fflush(stdout);
    std::fprintf(stderr, "ctxpack: cannot find Dockerfile %s (docker build would fail; name it with -f)\n",
                 e.path.c_str());
    return 2;
  } catch (const Error& e) {
    std::fflush(stdout);
    std::fprintf(stderr, "ctxpack: %s\n", e.what());
    return 2;
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "ctxpack: out of memory\n");
    return 2;
  }
}
