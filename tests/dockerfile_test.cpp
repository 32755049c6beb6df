// The Dockerfile parser and evaluator against Docker's frontend rules.
#include "ctxpack/dockerfile/dockerfile.h"

#include <gtest/gtest.h>

#include "ctxpack/support/error.h"

namespace ctxpack {
namespace {

using Strings = std::vector<std::string>;

ParsedDockerfile parse(const std::string& text) { return parse_dockerfile(text, "Dockerfile"); }

std::string parse_error(const std::string& text) {
  try {
    parse(text);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

Build evaluate(const std::string& text, BuildOptions options = {}) { return evaluate_dockerfile(parse(text), options); }

std::string evaluate_error(const std::string& text, BuildOptions options = {}) {
  try {
    evaluate(text, options);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

// The first COPY/ADD of the last stage.
const CopyCommand& first_copy(const Build& b) {
  for (const auto& step : b.stages.back().steps) {
    if (step.kind == StepKind::kCopy) return step.copy;
  }
  throw Error("no COPY");
}

std::string expand(const std::string& word, const Vars& vars = {}) { return expand_word(word, vars, '\\', nullptr); }

TEST(DockerfileParse, InstructionsWithLinesFlagsAndShellFormArguments) {
  auto f = parse("FROM scratch AS base\n\ncopy --from=base --chown=1:2 a.txt  b.txt /dst/\n");
  ASSERT_EQ(f.instructions.size(), 2u);
  EXPECT_EQ(f.instructions[0].command, "from");
  EXPECT_EQ(f.instructions[0].args, (Strings{"scratch", "AS", "base"}));
  const auto& c = f.instructions[1];
  EXPECT_EQ(c.line, 3u);
  EXPECT_EQ(c.keyword, "copy");
  EXPECT_EQ(c.command, "copy");
  EXPECT_EQ(c.flags, (Strings{"--from=base", "--chown=1:2"}));
  EXPECT_EQ(c.args, (Strings{"a.txt", "b.txt", "/dst/"}));
  EXPECT_FALSE(c.json);
}

TEST(DockerfileParse, JsonFormKeepsSpacesAndIgnoresTrailingText) {
  auto f = parse("FROM scratch\nCOPY [\"my file.txt\", \"/d st/\"] trailing\n");
  const auto& c = f.instructions[1];
  EXPECT_TRUE(c.json);
  EXPECT_EQ(c.args, (Strings{"my file.txt", "/d st/"}));
}

TEST(DockerfileParse, MalformedJsonFallsBackToShellForm) {
  // moby#48811: a missing comma makes the brackets and quotes part of the paths.
  auto f = parse("FROM scratch\nCOPY [\"a.txt\" \"/app/\"]\n");
  const auto& c = f.instructions[1];
  EXPECT_FALSE(c.json);
  EXPECT_EQ(c.args, (Strings{"[\"a.txt\"", "\"/app/\"]"}));
}

TEST(DockerfileParse, JsonArrayOfNonStringsIsAnError) {
  EXPECT_EQ(parse_error("FROM scratch\nCOPY [\"a\", 1]\n"),
            "Dockerfile:2: when using JSON array syntax, arrays must be comprised of strings only");
}

TEST(DockerfileParse, ContinuationsCommentsAndEmptyLinesInside) {
  auto f = parse("FROM scratch\nCOPY a.txt \\\n  # a comment\n\n  b.txt \\\n /dst/\nRUN x\n");
  ASSERT_EQ(f.instructions.size(), 3u);
  EXPECT_EQ(f.instructions[1].line, 2u);
  EXPECT_EQ(f.instructions[1].end_line, 6u);
  EXPECT_EQ(f.instructions[1].args, (Strings{"a.txt", "b.txt", "/dst/"}));
  EXPECT_EQ(f.instructions[2].line, 7u);
  ASSERT_EQ(f.warnings.size(), 1u);  // the empty continuation line
}

TEST(DockerfileParse, EscapedEscapeCharacterDoesNotContinue) {
  auto f = parse("FROM scratch\nCOPY a\\\\\nCOPY b c\n");
  ASSERT_EQ(f.instructions.size(), 3u);
  EXPECT_EQ(f.instructions[1].args, (Strings{"a\\\\"}));
}

TEST(DockerfileParse, BacktickEscapeDirectiveChangesContinuation) {
  auto f = parse("# escape=`\nFROM scratch\nCOPY a.txt `\n  C:\\dir\\ \n");
  EXPECT_EQ(f.escape, '`');
  ASSERT_EQ(f.directives.size(), 1u);
  EXPECT_EQ(f.directives[0].name, "escape");
  ASSERT_EQ(f.instructions.size(), 2u);
  EXPECT_EQ(f.instructions[1].args, (Strings{"a.txt", "C:\\dir\\"}));
}

TEST(DockerfileParse, DirectivesOnlyBeforeAnythingElse) {
  auto f = parse("# syntax=docker/dockerfile:1\n# check=skip=all\n# escape=`\nFROM scratch\n");
  ASSERT_EQ(f.directives.size(), 3u);
  EXPECT_EQ(f.directives[0].name, "syntax");
  EXPECT_EQ(f.directives[0].value, "docker/dockerfile:1");
  EXPECT_EQ(f.escape, '`');
  // After a comment that is not a directive, or after an instruction, it is a comment.
  EXPECT_EQ(parse("# hello\n# escape=`\nFROM scratch\n").escape, '\\');
  EXPECT_EQ(parse("FROM scratch\n# escape=`\n").escape, '\\');
  // An unknown directive also ends them.
  EXPECT_EQ(parse("# foo=bar\n# escape=`\nFROM scratch\n").escape, '\\');
}

TEST(DockerfileParse, DirectiveErrors) {
  EXPECT_EQ(parse_error("# escape=`\n# escape=\\\nFROM scratch\n"),
            "Dockerfile:2: only one escape parser directive can be used");
  EXPECT_EQ(parse_error("# escape=x\nFROM scratch\n"), "Dockerfile:1: invalid escape token 'x' does not match ` or \\");
}

TEST(DockerfileParse, HeredocBodiesAreConsumed) {
  auto f = parse("FROM scratch\nCOPY <<EOF <<-\"TWO\" /dst/\nhello $X\nEOF\n\tindented\n\tTWO\nRUN echo\n");
  ASSERT_EQ(f.instructions.size(), 3u);
  const auto& c = f.instructions[1];
  ASSERT_EQ(c.heredocs.size(), 2u);
  EXPECT_EQ(c.heredocs[0].name, "EOF");
  EXPECT_EQ(c.heredocs[0].content, "hello $X\n");
  EXPECT_TRUE(c.heredocs[0].expand);
  EXPECT_EQ(c.heredocs[1].name, "TWO");
  EXPECT_TRUE(c.heredocs[1].chomp);
  EXPECT_FALSE(c.heredocs[1].expand);
  EXPECT_EQ(c.end_line, 6u);
  EXPECT_EQ(f.instructions[2].line, 7u);
}

TEST(DockerfileParse, HeredocInJsonFormIsAPath) {
  auto f = parse("FROM scratch\nCOPY [\"<<EOF\", \"/d/\"]\nRUN x\n");
  EXPECT_TRUE(f.instructions[1].heredocs.empty());
  EXPECT_EQ(f.instructions.size(), 3u);
}

TEST(DockerfileParse, UnterminatedHeredoc) {
  EXPECT_EQ(parse_error("FROM scratch\nCOPY <<EOF /d\nbody\n"), "Dockerfile:2: unterminated heredoc EOF");
}

TEST(DockerfileParse, EmptyFileAndBom) {
  EXPECT_EQ(parse_error("# only a comment\n\n"), "Dockerfile:2: file with no instructions");
  auto f = parse("\xEF\xBB\xBF# escape=`\nFROM scratch\n");
  EXPECT_EQ(f.escape, '`');
}

TEST(DockerfileParse, CrlfLineEndings) {
  auto f = parse("FROM scratch\r\nCOPY a \\\r\n b /c/\r\n");
  ASSERT_EQ(f.instructions.size(), 2u);
  EXPECT_EQ(f.instructions[1].args, (Strings{"a", "b", "/c/"}));
}

TEST(DockerfileParse, FlagsStopAtFirstNonFlagAndUnquote) {
  auto f = parse("FROM scratch\nCOPY --chown=\"a b\" -- --notaflag /d/\n");
  EXPECT_EQ(f.instructions[1].flags, (Strings{"--chown=a b"}));
  EXPECT_EQ(f.instructions[1].args, (Strings{"--notaflag", "/d/"}));
}

TEST(ShellWord, QuotesEscapesAndVariables) {
  Vars v = {{"A", {"x y", true}}, {"EMPTY", {"", true}}};
  EXPECT_EQ(expand("$A"), "");
  EXPECT_EQ(expand("$A", v), "x y");
  EXPECT_EQ(expand("${A}/b", v), "x y/b");
  EXPECT_EQ(expand("'$A'", v), "$A");
  EXPECT_EQ(expand("\"$A\"", v), "x y");
  EXPECT_EQ(expand("a\\ b"), "a b");
  EXPECT_EQ(expand("\\$A", v), "$A");
  EXPECT_EQ(expand("\"a\\\"b\""), "a\"b");
  EXPECT_EQ(expand("\"a\\xb\""), "a\\xb");
  EXPECT_EQ(expand("$"), "$");
  EXPECT_EQ(expand("a$1b"), "ab");
}

TEST(ShellWord, Modifiers) {
  Vars v = {{"A", {"file.tar.gz", true}}, {"EMPTY", {"", true}}};
  EXPECT_EQ(expand("${NOPE:-dflt}", v), "dflt");
  EXPECT_EQ(expand("${EMPTY:-dflt}", v), "dflt");
  EXPECT_EQ(expand("${EMPTY-dflt}", v), "");
  EXPECT_EQ(expand("${A:+set}", v), "set");
  EXPECT_EQ(expand("${NOPE:+set}", v), "");
  EXPECT_EQ(expand("${NOPE+set}", v), "");
  EXPECT_EQ(expand("${EMPTY+set}", v), "set");
  EXPECT_EQ(expand("${A#*.}", v), "tar.gz");
  EXPECT_EQ(expand("${A##*.}", v), "gz");
  EXPECT_EQ(expand("${A%.*}", v), "file.tar");
  EXPECT_EQ(expand("${A%%.*}", v), "file");
  EXPECT_EQ(expand("${A/tar/zip}", v), "file.zip.gz");
  EXPECT_EQ(expand("${A//a/o}", v), "file.tor.gz");
  EXPECT_EQ(expand("${NOPE:-${A}}", v), "file.tar.gz");
}

TEST(ShellWord, Errors) {
  auto err = [](const std::string& w) {
    try {
      expand(w);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_EQ(err("\"abc"), "unexpected end of statement while looking for matching double-quote");
  EXPECT_EQ(err("'abc"), "unexpected end of statement while looking for matching single-quote");
  EXPECT_EQ(err("${A"), "syntax error: missing '}'");
  EXPECT_EQ(err("${}"), "syntax error: bad substitution");
  EXPECT_EQ(err("${A:?must be set}"), "A: must be set");
}

TEST(ShellWord, UnknownValuesAreReported) {
  Vars v = {{"BASE", {"", false}}};
  std::vector<std::string> unknown;
  EXPECT_EQ(expand_word("$BASE/x$OTHER", v, '\\', &unknown), "/x");
  EXPECT_EQ(unknown, (Strings{"BASE"}));
  unknown.clear();
  expand_word("$OTHER", v, '\\', &unknown, true);
  EXPECT_EQ(unknown, (Strings{"OTHER"}));
}

TEST(DockerfileEvaluate, CopyFlagsAndSources) {
  auto b = evaluate("FROM scratch\nCOPY --chmod=755 --link --exclude=*.md --exclude=x a b /d/\n");
  const CopyCommand& c = first_copy(b);
  EXPECT_FALSE(c.add);
  EXPECT_TRUE(c.link);
  EXPECT_TRUE(c.has_chmod);
  EXPECT_EQ(c.chmod, "755");
  EXPECT_EQ(c.excludes, (Strings{"*.md", "x"}));
  EXPECT_EQ(c.sources, (Strings{"a", "b"}));
  EXPECT_EQ(c.dest, "/d/");
}

TEST(DockerfileEvaluate, FlagErrorsNameTheLine) {
  EXPECT_EQ(evaluate_error("FROM scratch\nCOPY --nope a b\n"), "Dockerfile:2: unknown flag: nope");
  EXPECT_EQ(evaluate_error("FROM scratch\nADD --parents a b\n"), "Dockerfile:2: unknown flag: parents");
  EXPECT_EQ(evaluate_error("FROM scratch\nCOPY --from a b\n"), "Dockerfile:2: missing a value on flag: from");
  EXPECT_EQ(evaluate_error("FROM scratch\nCOPY --link=maybe a b\n"),
            "Dockerfile:2: expecting boolean value for flag link, not: maybe");
  EXPECT_EQ(evaluate_error("FROM scratch\nCOPY --from=a --from=b a b\n"),
            "Dockerfile:2: duplicate flag specified: from");
  EXPECT_EQ(evaluate_error("FROM scratch\nCOPY a\n"),
            "Dockerfile:2: COPY requires at least two arguments, but only one was provided. Destination could not be "
            "determined.");
  EXPECT_EQ(evaluate_error("FROM scratch\nCOPY a <<EOF\nx\nEOF\n"),
            "Dockerfile:2: COPY cannot accept a heredoc as a destination");
  EXPECT_EQ(evaluate_error("COPY a b\n"), "Dockerfile:1: no build stage in current context");
  EXPECT_EQ(evaluate_error("FROM scratch\nCOPY \"a b\n"),
            "Dockerfile:2: unexpected end of statement while looking for matching double-quote");
}

TEST(DockerfileEvaluate, AddFlags) {
  auto b = evaluate("FROM scratch\nADD --keep-git-dir --checksum=sha256:abc --unpack=false x.tar /d/\n");
  const CopyCommand& c = first_copy(b);
  EXPECT_TRUE(c.add);
  EXPECT_TRUE(c.keep_git_dir);
  EXPECT_EQ(c.checksum, "sha256:abc");
  ASSERT_TRUE(c.unpack.has_value());
  EXPECT_FALSE(*c.unpack);
}

TEST(DockerfileEvaluate, HeredocSourcesKeepTheirPlace) {
  auto b = evaluate("FROM scratch\nCOPY a.txt <<-EOF b.txt /d/\n\tline\n\tEOF\n");
  const CopyCommand& c = first_copy(b);
  EXPECT_EQ(c.sources, (Strings{"a.txt", "b.txt"}));
  ASSERT_EQ(c.heredoc_sources.size(), 1u);
  EXPECT_EQ(c.heredoc_sources[0].content, "line\n");
  ASSERT_EQ(c.source_order.size(), 3u);
  EXPECT_EQ(c.source_order[0], 0u);
  EXPECT_EQ(c.source_order[1], ~size_t{0});
  EXPECT_EQ(c.source_order[2], 1u);
}

TEST(DockerfileEvaluate, ArgAndEnvScopes) {
  const std::string df =
      "ARG V=global\nARG ONLY_GLOBAL=g\nFROM scratch\nARG V\nENV E=${V}-env\nCOPY $V $ONLY_GLOBAL $E /d/\n";
  auto b = evaluate(df);
  EXPECT_EQ(first_copy(b).sources, (Strings{"global", "", "global-env"}));
  BuildOptions o;
  o.build_args["V"] = "cli";
  EXPECT_EQ(first_copy(evaluate(df, o)).sources, (Strings{"cli", "", "cli-env"}));
}

TEST(DockerfileEvaluate, EnvWinsOverArgAndOldForm) {
  auto b = evaluate("FROM scratch\nENV A some value\nARG A=arg\nCOPY \"$A\" /d/\n");
  EXPECT_EQ(first_copy(b).sources, (Strings{"some value"}));
}

TEST(DockerfileEvaluate, WorkdirPerStageAndInheritance) {
  auto b = evaluate(
      "FROM scratch AS one\nWORKDIR /a\nWORKDIR b/../c\nCOPY x y\nFROM one\nCOPY x y\nFROM scratch\nCOPY x y\n");
  ASSERT_EQ(b.stages.size(), 3u);
  EXPECT_EQ(b.stages[0].steps.back().workdir, "/a/c");
  EXPECT_EQ(b.stages[1].base_stage, 0);
  EXPECT_EQ(b.stages[1].steps.back().workdir, "/a/c");
  EXPECT_EQ(b.stages[2].steps.back().workdir, "/");
}

TEST(DockerfileEvaluate, BaseImageVariablesAreUnknown) {
  auto b = evaluate("FROM debian\nCOPY $HOME/x /d/\n");
  ASSERT_EQ(b.stages[0].steps.size(), 1u);
  ASSERT_EQ(b.stages[0].steps[0].notes.size(), 1u);
  EXPECT_NE(b.stages[0].steps[0].notes[0].find("$HOME"), std::string::npos);
}

TEST(DockerfileEvaluate, TargetChoosesStagesPerBuilder) {
  const std::string df =
      "FROM scratch AS a\nCOPY x y\nFROM scratch AS unused\nCOPY x y\nFROM scratch AS b\nCOPY --from=a x y\n"
      "FROM scratch AS later\n";
  BuildOptions o;
  o.target = "b";
  auto bk = evaluate(df, o);
  EXPECT_EQ(bk.target, 2u);
  EXPECT_TRUE(bk.stages[0].built);
  EXPECT_FALSE(bk.stages[1].built);  // BuildKit only solves what the target needs
  EXPECT_TRUE(bk.stages[2].built);
  EXPECT_FALSE(bk.stages[3].built);
  o.builder = &legacy_builder();
  auto legacy = evaluate(df, o);
  EXPECT_TRUE(legacy.stages[1].built);  // the classic builder runs every stage up to the target
  EXPECT_FALSE(legacy.stages[3].built);
  o.target = "nope";
  EXPECT_EQ(evaluate_error(df, o), "failed to reach build target nope in Dockerfile");
}

TEST(DockerfileEvaluate, StageNamesAndIndexes) {
  auto b = evaluate("FROM scratch AS Build\nFROM scratch\nCOPY --from=build a b\nCOPY --from=0 a b\n");
  EXPECT_EQ(find_stage(b, "BUILD", 2), 0);
  EXPECT_EQ(find_stage(b, "0", 2), 0);
  EXPECT_EQ(find_stage(b, "alpine", 2), -1);
  // An image named by digits, longer than any index: an image, not a crash.
  EXPECT_EQ(find_stage(b, "777777777777777777777777777", 2), -1);
  EXPECT_EQ(find_stage(b, "1", 1), -1) << "only earlier stages";
  EXPECT_EQ(evaluate_error("FROM scratch AS x\nFROM scratch AS X\n"), "Dockerfile:2: duplicate stage name \"x\"");
}

TEST(DockerfileEvaluate, RunBindMountsReadTheContext) {
  auto b = evaluate(
      "FROM scratch\nRUN --mount=type=bind,source=go.mod,target=/m --mount=type=cache,target=/c "
      "--mount=from=x,source=y,target=/z x\n");
  const BuildStep& run = b.stages[0].steps[0];
  EXPECT_EQ(run.kind, StepKind::kRun);
  EXPECT_EQ(run.run_context_paths, (Strings{"go.mod"}));
}

}  // namespace
}  // namespace ctxpack
