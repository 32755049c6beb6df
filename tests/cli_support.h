// Running the built ctxpack binary from tests, in scratch directories.
#pragma once

#include <sys/wait.h>

#include <boost/filesystem.hpp>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace ctxpack::testing {

struct Result {
  int status = -1;
  std::string out, err;
};

// A temporary directory, removed with everything in it.
class ScratchDir {
 public:
  ScratchDir() : path_(boost::filesystem::temp_directory_path() / boost::filesystem::unique_path("ctxpack-%%%%-%%%%")) {
    boost::filesystem::create_directories(path_);
  }
  ~ScratchDir() {
    boost::system::error_code ec;
    boost::filesystem::remove_all(path_, ec);
  }
  std::string path() const { return path_.string(); }
  std::string operator/(const std::string& rel) const { return (path_ / rel).string(); }
  // Writes a file, creating parent directories.
  void write(const std::string& rel, const std::string& content) const {
    boost::filesystem::path p = path_ / rel;
    boost::filesystem::create_directories(p.parent_path());
    std::ofstream(p.string(), std::ios::binary) << content;
  }
  void mkdir(const std::string& rel) const { boost::filesystem::create_directories(path_ / rel); }

 private:
  boost::filesystem::path path_;
};

inline std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Runs ctxpack with `args` in directory `cwd`, feeding `input` on stdin.
inline Result run_ctxpack(const std::vector<std::string>& args, const std::string& cwd = ".",
                          const std::string& input = "") {
  ScratchDir io;
  io.write("in", input);
  std::string cmd = "cd " + shell_quote(cwd) + " && " + shell_quote(CTXPACK_BINARY);
  for (const auto& a : args) cmd += " " + shell_quote(a);
  cmd += " <" + shell_quote(io / "in") + " >" + shell_quote(io / "out") + " 2>" + shell_quote(io / "err");
  int raw = std::system(cmd.c_str());
  Result r;
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  r.out = slurp(io / "out");
  r.err = slurp(io / "err");
  return r;
}

}  // namespace ctxpack::testing
