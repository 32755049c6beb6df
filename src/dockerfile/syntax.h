// The Dockerfile reader's internals, shared by its sources (private to
// src/dockerfile/): text helpers with Docker's notion of white space, and
// the frontend's shell lexer.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ctxpack/dockerfile/dockerfile.h"
#include "ctxpack/support/error.h"

namespace ctxpack::dockerfile {

[[noreturn]] inline void fail_at(const std::string& file, size_t line, const std::string& message) {
  throw Error(file + ":" + std::to_string(line) + ": " + message);
}

inline bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }
// The separators of Docker's reWhitespace ([\t\v\f\r ]).
inline bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r'; }

inline std::string_view trim_newline(std::string_view s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}
inline std::string_view trim_left(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  return s;
}
inline std::string_view trim(std::string_view s) {
  s = trim_left(s);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// The shell lexer of the frontend, for one word (ProcessWord) or, with
// `words`, for a line of words (ProcessWords, used to find heredocs).
class Lexer {
 public:
  Lexer(std::string_view src, const Vars* vars, char escape, std::vector<std::string>* unknown,
        bool unset_is_unknown = false)
      : s_(src), vars_(vars), escape_(escape), unknown_(unknown), unset_is_unknown_(unset_is_unknown) {}

  bool raw_quotes = false;  // keep quote characters (heredoc detection)
  bool raw_escapes = false;

  std::string word();
  std::vector<std::string> words();

 private:
  int peek() const { return pos_ < s_.size() ? static_cast<unsigned char>(s_[pos_]) : -1; }
  int next() { return pos_ < s_.size() ? static_cast<unsigned char>(s_[pos_++]) : -1; }

  // Reads up to `stop` (0: the end). With `words`, unquoted blanks separate words.
  std::string stop_on(int stop, std::vector<std::string>* words);

  std::string single_quote();

  std::string double_quote();

  std::string name();

  const VarValue* lookup(const std::string& n);

  std::string dollar();

  // Reads up to one of `stops`, remembering which ended it.
  std::string stop_on_any(const char* stops);

  static bool glob(const std::string& pattern, const std::string& s);
  static std::string trim_pattern(const std::string& v, const std::string& pattern, bool prefix, bool longest);
  static std::string replace_pattern(const std::string& v, const std::string& pattern, const std::string& repl, bool all);

  std::string_view s_;
  size_t pos_ = 0;
  const Vars* vars_;
  char escape_;
  std::vector<std::string>* unknown_;
  bool unset_is_unknown_;
  int last_stop_ = 0;
};

// A word of the form [n]<<[-]NAME (NAME possibly quoted) names a heredoc.
std::optional<Heredoc> parse_heredoc_word(std::string_view word);

}  // namespace ctxpack::dockerfile
