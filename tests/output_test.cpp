// What every command prints: quoted names, Docker's sizes, modes, rule
// references, and JSON.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "ctxpack/output/format.h"
#include "ctxpack/output/json.h"
#include "ctxpack/support/error.h"

namespace ctxpack {
namespace {

TEST(Format, PlainNamesAreNotQuotedOthersAreQuotedLikeGit) {
  EXPECT_EQ(quote_path("src/app.py"), "src/app.py");
  EXPECT_EQ(quote_path("héllo 日本"), "héllo 日本");
  EXPECT_EQ(quote_path("a\tb"), "\"a\\tb\"");
  EXPECT_EQ(quote_path("new\nline"), "\"new\\nline\"");
  EXPECT_EQ(quote_path("q\"b\\s"), "\"q\\\"b\\\\s\"");
  EXPECT_EQ(quote_path("latin1-\xe9"), "\"latin1-\\351\"");
  EXPECT_EQ(quote_path("del\x7f"), "\"del\\177\"");
  EXPECT_EQ(quote_path("a -> b", true), "\"a -> b\"");
}

TEST(Format, SizesAreDockersDecimalFourSignificantDigits) {
  EXPECT_EQ(human_size(0), "0B");
  EXPECT_EQ(human_size(512), "512B");
  EXPECT_EQ(human_size(2048), "2.048kB");
  EXPECT_EQ(human_size(1500000), "1.5MB");
  EXPECT_EQ(human_size(616083456), "616.1MB");
  EXPECT_EQ(human_size(1000000000000ULL), "1TB");
}

TEST(Format, SizesParseWithDecimalAndBinaryUnits) {
  EXPECT_EQ(parse_size("500MB"), 500000000u);
  EXPECT_EQ(parse_size("1.5GiB"), 1610612736u);
  EXPECT_EQ(parse_size("2k"), 2000u);
  EXPECT_EQ(parse_size("100"), 100u);
  EXPECT_EQ(parse_size("1b"), 1u);
  for (const char* bad : {"12XB", "", "MB", "-1MB", "nanMB"}) EXPECT_THROW(parse_size(bad), Error) << bad;
}

TEST(Format, ModesAreLsStyle) {
  EXPECT_EQ(mode_string(FileType::kDirectory, 0755), "drwxr-xr-x");
  EXPECT_EQ(mode_string(FileType::kRegular, 04755), "-rwsr-xr-x");
  EXPECT_EQ(mode_string(FileType::kRegular, 02644), "-rw-r-Sr--");
  EXPECT_EQ(mode_string(FileType::kFifo, 01777), "prwxrwxrwt");
  EXPECT_EQ(type_name(FileType::kCharDevice), "char-device");
}

TEST(Format, RulesAreCitedAsGitCheckIgnoreDoes) {
  EXPECT_EQ(rule_reference(Rule{"node_modules", ".dockerignore", 3, "  node_modules/  "}),
            ".dockerignore:3:node_modules/");
  EXPECT_EQ(rule_reference(Rule{"!Dockerfile", "", 0, "!Dockerfile", RuleOrigin::kClient}),
            "(docker CLI):!Dockerfile");
  EXPECT_EQ(plural(1, "file", "files"), "1 file");
  EXPECT_EQ(plural(2, "entry", "entries"), "2 entries");
}

TEST(Json, NamesThatAreNotUtf8BecomeReplacementCharactersOnALine) {
  Json j{{"path", std::string("bad-\xff")}, {"n", 1}};
  EXPECT_EQ(dump_line(j), "{\"path\":\"bad-\xef\xbf\xbd\",\"n\":1}\n");
  EXPECT_EQ(dump_document(Json{{"a", nullptr}}), "{\n  \"a\": null\n}\n");
}

TEST(Json, ExplanationsCarryTheRuleAndItsOrigin) {
  Matcher m({Rule{"!Dockerfile", "", 0, "!Dockerfile", RuleOrigin::kClient}});
  Explanation ex;
  ex.path = "Dockerfile";
  ex.verdict.rule = &m.rule(0);
  Json j = explanation_json(ex, "./Dockerfile");
  EXPECT_EQ(j["path"], "./Dockerfile") << "as the user gave it";
  EXPECT_EQ(j["context_path"], "Dockerfile");
  EXPECT_EQ(j["rule"]["file"], "(docker CLI)");
  EXPECT_EQ(j["verdict"], "included");
  EXPECT_TRUE(j["via_parent"].is_null());
  EXPECT_TRUE(rule_json(nullptr).is_null());
}

}  // namespace
}  // namespace ctxpack
