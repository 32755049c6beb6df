// Fuzzes the Dockerfile parser and evaluator: any bytes either parse or
// fail with ctxpack::Error (anything else escapes and aborts), in bounded
// time, and what parses is consistent with the text it came from.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "ctxpack/dockerfile/dockerfile.h"
#include "ctxpack/support/error.h"

namespace {

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "dockerfile_fuzz: %s\n", what.c_str());
  std::abort();
}

size_t count_lines(std::string_view text) {
  size_t n = 1;
  for (char c : text) n += c == '\n';
  return n;
}

void check_parsed(const ctxpack::ParsedDockerfile& p, std::string_view text) {
  const size_t lines = count_lines(text);
  size_t previous_end = 0;
  for (const auto& inst : p.instructions) {
    if (inst.line == 0 || inst.line > inst.end_line || inst.end_line > lines)
      fail("instruction \"" + inst.original + "\" spans lines " + std::to_string(inst.line) + "-" +
           std::to_string(inst.end_line) + " of " + std::to_string(lines));
    if (inst.line <= previous_end)
      fail("instructions overlap or are out of order at line " + std::to_string(inst.line));
    previous_end = inst.end_line;
    for (char c : inst.command)
      if (c >= 'A' && c <= 'Z') fail("command \"" + inst.command + "\" is not lower-case");
  }
  for (const auto& d : p.directives)
    if (d.line == 0 || d.line > lines) fail("directive " + d.name + " on line " + std::to_string(d.line));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  ctxpack::ParsedDockerfile parsed;
  try {
    parsed = ctxpack::parse_dockerfile(text, "Dockerfile");
  } catch (const ctxpack::Error&) {
    return 0;
  }
  check_parsed(parsed, text);

  ctxpack::Vars vars{{"A", {"x y", true}}, {"B", {"", false}}};
  for (const auto& inst : parsed.instructions) {
    for (const std::string& word : inst.args) {
      std::vector<std::string> unknown;
      try {
        ctxpack::expand_word(word, vars, parsed.escape, &unknown);
      } catch (const ctxpack::Error&) {
      }
    }
  }

  for (const ctxpack::Builder* builder : ctxpack::builders()) {
    ctxpack::BuildOptions options;
    options.builder = builder;
    options.build_args = {{"A", "1"}, {"HOME", "/h"}};
    try {
      ctxpack::Build build = ctxpack::evaluate_dockerfile(parsed, options);
      if (build.stages.empty()) fail("a build without stages");
      if (build.target >= build.stages.size()) fail("the target stage is out of range");
      for (const auto& stage : build.stages) {
        if (stage.base_stage >= static_cast<int>(build.stages.size()))
          fail("a stage builds on a stage that does not exist");
        for (const auto& step : stage.steps)
          if (step.instruction >= parsed.instructions.size()) fail("a step names an instruction that does not exist");
      }
    } catch (const ctxpack::Error&) {
    }
  }
  return 0;
}
