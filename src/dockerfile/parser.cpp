// The Dockerfile's syntax, as BuildKit's parser reads it (the classic
// builder uses the same parser).
#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "ctxpack/support/text.h"
#include "syntax.h"

namespace ctxpack {

using namespace dockerfile;

namespace dockerfile {

std::optional<Heredoc> parse_heredoc_word(std::string_view word) {
  size_t i = 0;
  while (i < word.size() && std::isdigit(static_cast<unsigned char>(word[i]))) ++i;
  if (word.substr(i, 2) != "<<") return std::nullopt;
  i += 2;
  Heredoc h;
  if (i < word.size() && word[i] == '-') {
    h.chomp = true;
    ++i;
  }
  std::string_view rest = word.substr(i);
  if (rest.empty() || rest.find('<') != std::string_view::npos) return std::nullopt;
  Lexer plain(rest, nullptr, '\\', nullptr);
  std::vector<std::string> words = plain.words();
  if (words.size() != 1) return std::nullopt;
  Lexer raw(rest, nullptr, '\\', nullptr);
  raw.raw_quotes = true;
  std::vector<std::string> raw_words = raw.words();
  auto quotes = [](const std::string& s) {
    return std::count(s.begin(), s.end(), '\'') + std::count(s.begin(), s.end(), '"');
  };
  h.name = words[0];
  h.expand = raw_words.size() == 1 && quotes(words[0]) == quotes(raw_words[0]);
  return h;
}

}  // namespace dockerfile

namespace {

bool is_comment(std::string_view raw) {
  std::string_view s = trim_left(trim_newline(raw));
  return !s.empty() && s[0] == '#';
}

// Parser directives: "# name = value" lines before anything else. The first
// line that is not a known directive ends them for good.
class Directives {
 public:
  char escape = '\\';
  std::vector<DockerfileDirective> parsed;

  // Throws (message only) on a repeated directive or a bad escape token.
  void consider(std::string_view line, size_t lineno) {
    if (done_) return;
    std::string name, value;
    if (!match(line, &name, &value)) {
      done_ = true;
      return;
    }
    name = ascii_lower(name);
    if (name != "escape" && name != "syntax" && name != "check") {
      done_ = true;
      return;
    }
    for (const auto& d : parsed) {
      if (d.name == name) throw Error("only one " + name + " parser directive can be used");
    }
    if (name == "escape") {
      if (value != "`" && value != "\\") throw Error("invalid escape token '" + value + "' does not match ` or \\");
      escape = value[0];
    }
    parsed.push_back({name, value, lineno});
  }

 private:
  // ^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$
  static bool match(std::string_view s, std::string* name, std::string* value) {
    auto ws = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'; };
    size_t i = 0;
    if (s.empty() || s[0] != '#') return false;
    ++i;
    while (i < s.size() && ws(s[i])) ++i;
    if (i >= s.size() || !std::isalpha(static_cast<unsigned char>(s[i]))) return false;
    size_t start = i;
    while (i < s.size() && std::isalnum(static_cast<unsigned char>(s[i]))) ++i;
    *name = std::string(s.substr(start, i - start));
    while (i < s.size() && ws(s[i])) ++i;
    if (i >= s.size() || s[i] != '=') return false;
    ++i;
    while (i < s.size() && ws(s[i])) ++i;
    size_t end = s.size();
    while (end > i && ws(s[end - 1])) --end;
    if (end == i) return false;
    *value = std::string(s.substr(i, end - i));
    return true;
  }

  bool done_ = false;
};

// The escape character (with optional blanks after it) ends the line and is
// not itself escaped: the line continues. Docker's regular expression
// ([^E])E[ \t]*$|^E[ \t]*$ is reproduced, including its blind spot for an
// escaped escape character before the continuation.
bool trim_continuation(std::string& line, char escape) {
  size_t end = line.size();
  while (end > 0 && (line[end - 1] == ' ' || line[end - 1] == '\t')) --end;
  if (end == 0 || line[end - 1] != escape) return false;
  if (end >= 2 && line[end - 2] == escape) return false;
  line.resize(end - 1);
  return true;
}

// extractBuilderFlags: leading "--" words, with quotes and backslash escapes
// removed, stop at the first word that does not start with "--" (or at a
// lone "--").
std::string extract_flags(std::string_view line, std::vector<std::string>* flags) {
  enum { kSpaces, kWord, kQuote } phase = kSpaces;
  std::string word;
  char quote = 0;
  bool blank_ok = false;
  for (size_t pos = 0; pos <= line.size(); ++pos) {
    char ch = pos < line.size() ? line[pos] : 0;
    if (phase == kSpaces) {
      if (pos == line.size()) break;
      if (is_space(ch)) continue;
      if (ch != '-' || pos + 1 == line.size() || line[pos + 1] != '-') return std::string(line.substr(pos));
      phase = kWord;
    }
    if (pos == line.size()) {
      if (word != "--" && (blank_ok || !word.empty())) flags->push_back(word);
      break;
    }
    if (phase == kWord) {
      if (is_space(ch)) {
        phase = kSpaces;
        if (word == "--") return std::string(line.substr(pos));
        if (blank_ok || !word.empty()) flags->push_back(word);
        word.clear();
        blank_ok = false;
        continue;
      }
      if (ch == '\'' || ch == '"') {
        quote = ch;
        blank_ok = true;
        phase = kQuote;
        continue;
      }
      if (ch == '\\') {
        if (pos + 1 == line.size()) continue;
        ch = line[++pos];
      }
      word += ch;
      continue;
    }
    if (ch == quote) {
      phase = kWord;
      continue;
    }
    if (ch == '\\') {
      if (pos + 1 == line.size()) {
        phase = kWord;
        continue;
      }
      ch = line[++pos];
    }
    word += ch;
  }
  return "";
}

std::vector<std::string> split_blank(std::string_view rest) {
  std::vector<std::string> out;
  if (rest.empty()) return out;
  size_t i = 0;
  while (true) {
    size_t j = i;
    while (j < rest.size() && !is_blank(rest[j])) ++j;
    out.emplace_back(rest.substr(i, j - i));
    if (j == rest.size()) break;
    while (j < rest.size() && is_blank(rest[j])) ++j;
    i = j;
    if (i == rest.size()) {
      out.emplace_back();
      break;
    }
  }
  return out;
}

enum class JsonResult { kOk, kNotJson, kNotStrings };

// Docker decodes the first JSON value and ignores what follows it.
JsonResult parse_json_array(std::string_view rest, std::vector<std::string>* out) {
  rest = trim_left(rest);
  if (rest.empty() || rest[0] != '[') return JsonResult::kNotJson;
  nlohmann::json value;
  try {
    std::istringstream in{std::string(rest)};
    in >> value;
  } catch (const nlohmann::json::exception&) {
    return JsonResult::kNotJson;
  }
  if (!value.is_array()) return JsonResult::kNotJson;
  for (const auto& v : value) {
    if (!v.is_string()) return JsonResult::kNotStrings;
    out->push_back(v.get<std::string>());
  }
  return JsonResult::kOk;
}

// parseWords: whitespace-separated words, quotes and escapes kept verbatim.
std::vector<std::string> parse_words(std::string_view rest, char escape) {
  enum { kSpaces, kWord, kQuote } phase = kSpaces;
  std::vector<std::string> words;
  std::string word;
  char quote = 0;
  bool blank_ok = false;
  for (size_t pos = 0; pos <= rest.size(); ++pos) {
    char ch = pos < rest.size() ? rest[pos] : 0;
    if (phase == kSpaces) {
      if (pos == rest.size()) break;
      if (is_space(ch)) continue;
      phase = kWord;
    }
    if (pos == rest.size()) {
      if (blank_ok || !word.empty()) words.push_back(word);
      break;
    }
    if (phase == kWord) {
      if (is_space(ch)) {
        phase = kSpaces;
        if (blank_ok || !word.empty()) words.push_back(word);
        word.clear();
        blank_ok = false;
        continue;
      }
      if (ch == '\'' || ch == '"') {
        quote = ch;
        blank_ok = true;
        phase = kQuote;
      }
      if (ch == escape) {
        if (pos + 1 == rest.size()) continue;
        word += ch;
        ch = rest[++pos];
      }
      word += ch;
      continue;
    }
    if (ch == quote) phase = kWord;
    if (ch == escape && quote != '\'') {
      if (pos + 1 == rest.size()) {
        phase = kWord;
        continue;
      }
      word += ch;
      ch = rest[++pos];
    }
    word += ch;
  }
  return words;
}


std::vector<Heredoc> heredocs_in_line(std::string_view line) {
  Lexer lex(line, nullptr, '\\', nullptr);
  lex.raw_quotes = true;
  lex.raw_escapes = true;
  std::vector<std::string> words;
  try {
    words = lex.words();
  } catch (const Error&) {
    return {};
  }
  std::vector<Heredoc> out;
  for (const auto& w : words) {
    if (auto h = parse_heredoc_word(w)) out.push_back(*h);
  }
  return out;
}

bool can_contain_heredoc(const std::string& command, bool json) {
  return !json && (command == "copy" || command == "add" || command == "run");
}

// Splits the arguments of one instruction as its line parser does.
void parse_arguments(DockerfileInstruction& inst, std::string_view rest, char escape) {
  const std::string& c = inst.command;
  if (c == "copy" || c == "add" || c == "volume") {
    switch (parse_json_array(rest, &inst.args)) {
      case JsonResult::kOk:
        inst.json = true;
        return;
      case JsonResult::kNotStrings:
        throw Error("when using JSON array syntax, arrays must be comprised of strings only");
      case JsonResult::kNotJson:
        inst.args = split_blank(rest);
        return;
    }
  }
  if (c == "run" || c == "cmd" || c == "entrypoint" || c == "shell") {
    if (rest.empty()) return;
    switch (parse_json_array(rest, &inst.args)) {
      case JsonResult::kOk:
        inst.json = true;
        return;
      case JsonResult::kNotStrings:
        throw Error("when using JSON array syntax, arrays must be comprised of strings only");
      case JsonResult::kNotJson:
        inst.args = {std::string(rest)};
        return;
    }
  }
  if (c == "from" || c == "expose") {
    inst.args = split_blank(rest);
    return;
  }
  if (c == "arg" || c == "env" || c == "label") {
    inst.args = parse_words(rest, escape);
    return;
  }
  if (!rest.empty()) inst.args = {std::string(rest)};
}

// The file as logical lines: continuations joined, comments and parser
// directives taken out, heredoc bodies read after their instruction.
class LineReader {
 public:
  LineReader(std::string_view text, const std::string& name) : name_(name) {
    // Lines keep their newline, as the heredoc bodies need it.
    for (size_t i = 0; i < text.size();) {
      size_t j = text.find('\n', i);
      size_t end = j == std::string_view::npos ? text.size() : j + 1;
      lines_.push_back(text.substr(i, end - i));
      i = end;
    }
    if (!lines_.empty() && lines_[0].starts_with("\xEF\xBB\xBF")) lines_[0].remove_prefix(3);
  }

  // The next instruction's text and first line; false at the end.
  bool next(std::string* line, size_t* start, std::vector<std::string>* warnings) {
    while (n_ < lines_.size()) {
      *line = process(lines_[n_], true, n_ + 1);
      *start = ++n_;
      bool continued = trim_continuation(*line, directives.escape);
      if (!continued && line->empty()) continue;
      bool empty_continuation = false;
      while (continued && n_ < lines_.size()) {
        std::string_view raw = lines_[n_];
        std::string part = process(raw, false, n_ + 1);
        ++n_;
        if (is_comment(raw)) continue;
        if (trim_left(trim_newline(raw)).empty()) {
          empty_continuation = true;
          continue;
        }
        continued = trim_continuation(part, directives.escape);
        *line += part;
      }
      if (empty_continuation) {
        warnings->push_back(std::to_string(*start) +
                            ": empty continuation line (Docker warns; a future release rejects it)");
      }
      return true;
    }
    return false;
  }

  // The body of heredoc `h` of the instruction starting on line `start`.
  void read_body(Heredoc& h, size_t start) {
    while (n_ < lines_.size()) {
      std::string_view raw = lines_[n_++];
      std::string_view candidate = trim_newline(raw);
      if (h.chomp) {
        while (!candidate.empty() && candidate.front() == '\t') candidate.remove_prefix(1);
      }
      if (candidate == h.name) return;
      h.content += raw;
    }
    fail_at(name_, start, "unterminated heredoc " + h.name);
  }

  size_t consumed() const { return n_; }
  Directives directives;

 private:
  std::string process(std::string_view raw, bool strip_left, size_t lineno) {
    std::string_view token = trim_newline(raw);
    if (strip_left) token = trim_left(token);
    try {
      directives.consider(token, lineno);
    } catch (const Error& e) {
      fail_at(name_, lineno, e.what());
    }
    return !token.empty() && token[0] == '#' ? std::string() : std::string(token);
  }

  const std::string& name_;
  std::vector<std::string_view> lines_;
  size_t n_ = 0;  // lines consumed
};

// One logical line as an instruction: keyword, flags, arguments.
DockerfileInstruction instruction(const std::string& line, size_t start, char escape, const std::string& name) {
  DockerfileInstruction inst;
  inst.line = start;
  inst.original = line;
  std::string_view whole = trim(line);
  size_t cut = 0;
  while (cut < whole.size() && !is_blank(whole[cut])) ++cut;
  inst.keyword = std::string(whole.substr(0, cut));
  inst.command = ascii_lower(inst.keyword);
  std::string rest;
  if (cut < whole.size()) {
    std::string_view after = whole.substr(cut);
    while (!after.empty() && is_blank(after.front())) after.remove_prefix(1);
    rest = extract_flags(after, &inst.flags);
    rest = std::string(trim(rest));
  }
  try {
    parse_arguments(inst, rest, escape);
  } catch (const Error& e) {
    fail_at(name, start, e.what());
  }
  return inst;
}

}  // namespace

ParsedDockerfile parse_dockerfile(std::string_view text, const std::string& name) {
  ParsedDockerfile out;
  out.name = name;
  LineReader reader(text, name);
  std::string line;
  size_t start = 0;
  while (reader.next(&line, &start, &out.warnings)) {
    DockerfileInstruction inst = instruction(line, start, reader.directives.escape, name);
    if (can_contain_heredoc(inst.command, inst.json) && line.find("<<") != std::string::npos) {
      for (Heredoc h : heredocs_in_line(line)) {
        reader.read_body(h, start);
        inst.heredocs.push_back(std::move(h));
      }
    }
    inst.end_line = reader.consumed();
    out.instructions.push_back(std::move(inst));
  }
  out.directives = reader.directives.parsed;
  out.escape = reader.directives.escape;
  if (out.instructions.empty()) fail_at(name, std::max<size_t>(reader.consumed(), 1), "file with no instructions");
  return out;
}

}  // namespace ctxpack
