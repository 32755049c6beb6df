#include "ctxpack/dockerfile/dockerfile.h"

#include <fnmatch.h>

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "ctxpack/support/error.h"
#include "ctxpack/support/path.h"

namespace ctxpack {

namespace {

[[noreturn]] void fail_at(const std::string& file, size_t line, const std::string& message) {
  throw Error(file + ":" + std::to_string(line) + ": " + message);
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }
// The separators of Docker's reWhitespace ([\t\v\f\r ]).
bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r'; }

std::string_view trim_newline(std::string_view s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}
std::string_view trim_left(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  return s;
}
std::string_view trim(std::string_view s) {
  s = trim_left(s);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}
bool is_comment(std::string_view raw) {
  std::string_view s = trim_left(trim_newline(raw));
  return !s.empty() && s[0] == '#';
}
std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
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
    name = lower(name);
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

// The shell lexer of the frontend, for one word (ProcessWord) or, with
// `split`, for a line of words (ProcessWords, used to find heredocs).
class Lexer {
 public:
  Lexer(std::string_view src, const Vars* vars, char escape, std::vector<std::string>* unknown,
        bool unset_is_unknown = false)
      : s_(src), vars_(vars), escape_(escape), unknown_(unknown), unset_is_unknown_(unset_is_unknown) {}

  bool raw_quotes = false;  // keep quote characters (heredoc detection)
  bool raw_escapes = false;

  std::string word() {
    std::string out = stop_on(0, nullptr);
    return out;
  }
  std::vector<std::string> words() {
    std::vector<std::string> out;
    stop_on(0, &out);
    return out;
  }

 private:
  int peek() const { return pos_ < s_.size() ? static_cast<unsigned char>(s_[pos_]) : -1; }
  int next() { return pos_ < s_.size() ? static_cast<unsigned char>(s_[pos_++]) : -1; }

  // Reads up to `stop` (0: the end). With `words`, unquoted blanks separate words.
  std::string stop_on(int stop, std::vector<std::string>* words) {
    std::string result, current;
    bool in_word = false;
    auto add = [&](const std::string& s, bool splittable) {
      result += s;
      if (!words) return;
      if (!splittable) {
        current += s;
        in_word = true;
        return;
      }
      for (char c : s) {
        if (is_space(c)) {
          if (in_word) words->push_back(current);
          current.clear();
          in_word = false;
        } else {
          current += c;
          in_word = true;
        }
      }
    };
    while (true) {
      int ch = peek();
      if (ch < 0) break;
      if (stop != 0 && ch == stop) {
        next();
        if (words && in_word) words->push_back(current);
        return result;
      }
      if (ch == '\'') {
        std::string q = single_quote();
        add(raw_quotes ? "'" + q + "'" : q, false);
        if (words) in_word = true;
      } else if (ch == '"') {
        std::string q = double_quote();
        add(raw_quotes ? "\"" + q + "\"" : q, false);
        if (words) in_word = true;
      } else if (ch == '$') {
        add(dollar(), true);
      } else {
        next();
        if (ch == escape_) {
          int n = next();
          if (n < 0) break;
          std::string s;
          if (raw_escapes) s += static_cast<char>(ch);
          s += static_cast<char>(n);
          add(s, false);
        } else {
          add(std::string(1, static_cast<char>(ch)), true);
        }
      }
    }
    if (stop != 0) throw Error(std::string("unexpected end of statement while looking for matching ") + char(stop));
    if (words && in_word) words->push_back(current);
    return result;
  }

  std::string single_quote() {
    next();
    std::string out;
    while (true) {
      int ch = next();
      if (ch < 0) throw Error("unexpected end of statement while looking for matching single-quote");
      if (ch == '\'') return out;
      out += static_cast<char>(ch);
    }
  }

  std::string double_quote() {
    next();
    std::string out;
    while (true) {
      int ch = peek();
      if (ch < 0) throw Error("unexpected end of statement while looking for matching double-quote");
      if (ch == '"') {
        next();
        return out;
      }
      if (ch == '$') {
        out += dollar();
        continue;
      }
      next();
      if (ch == escape_) {
        int n = peek();
        if (n < 0) continue;
        if (n == '"' || n == '$' || n == escape_) {
          if (raw_escapes) out += static_cast<char>(ch);
          ch = next();
        }
      }
      out += static_cast<char>(ch);
    }
  }

  std::string name() {
    std::string out;
    while (peek() >= 0) {
      int ch = peek();
      if (out.empty() && std::isdigit(ch)) {
        while (peek() >= 0 && std::isdigit(peek())) out += static_cast<char>(next());
        return out;
      }
      if (out.empty() && std::strchr("@*#?-$!0", ch)) {
        out += static_cast<char>(next());
        return out;
      }
      if (!std::isalnum(ch) && ch != '_' && ch < 0x80) break;
      out += static_cast<char>(next());
    }
    return out;
  }

  const VarValue* lookup(const std::string& n) {
    if (!vars_) return nullptr;
    auto it = vars_->find(n);
    bool unknown = it == vars_->end() ? unset_is_unknown_ : !it->second.known;
    if (unknown && unknown_ && std::find(unknown_->begin(), unknown_->end(), n) == unknown_->end()) {
      unknown_->push_back(n);
    }
    return it == vars_->end() ? nullptr : &it->second;
  }

  std::string dollar() {
    next();
    if (peek() != '{') {
      std::string n = name();
      if (n.empty()) return "$";
      if (!vars_) return "$" + n;  // heredoc detection leaves variables alone
      const VarValue* v = lookup(n);
      return v ? v->value : "";
    }
    next();
    int c = peek();
    if (c < 0) throw Error("syntax error: missing '}'");
    if (c == '{' || c == '}' || c == ':') throw Error("syntax error: bad substitution");
    std::string n = name();
    int ch = next();
    const VarValue* v = vars_ ? lookup(n) : nullptr;
    bool set = v != nullptr;
    std::string value = v ? v->value : "";
    if (!vars_) {
      // Keep the text for heredoc detection.
      if (ch == '}') return "${" + n + "}";
      std::string rest = stop_on('}', nullptr);
      return "${" + n + static_cast<char>(ch) + rest + "}";
    }
    switch (ch) {
      case '}':
        return value;
      case ':': {
        int modifier = next();
        std::string word = stop_on('}', nullptr);
        switch (modifier) {
          case '+':
            return value.empty() ? "" : word;
          case '-':
            return value.empty() ? word : value;
          case '?':
            if (value.empty()) throw Error(n + ": " + (word.empty() ? "is not allowed to be empty" : word));
            return value;
          default:
            throw Error(std::string("unsupported modifier (") + static_cast<char>(modifier) + ") in substitution");
        }
      }
      case '+': {
        std::string word = stop_on('}', nullptr);
        return set ? word : "";
      }
      case '-': {
        std::string word = stop_on('}', nullptr);
        return set ? value : word;
      }
      case '?': {
        std::string word = stop_on('}', nullptr);
        if (!set) throw Error(n + ": " + (word.empty() ? "is not allowed to be unset" : word));
        return value;
      }
      case '#':
      case '%': {
        bool longest = peek() == ch;
        if (longest) next();
        std::string pattern = stop_on('}', nullptr);
        return trim_pattern(value, pattern, ch == '#', longest);
      }
      case '/': {
        bool all = peek() == '/';
        if (all) next();
        std::string pattern = stop_on_any("/}");
        std::string repl;
        if (last_stop_ == '/') repl = stop_on('}', nullptr);
        return replace_pattern(value, pattern, repl, all);
      }
      case -1:
        throw Error("syntax error: missing '}'");
      default:
        throw Error(std::string("unsupported modifier (") + static_cast<char>(ch) + ") in substitution");
    }
  }

  // Reads up to one of `stops`, remembering which ended it.
  std::string stop_on_any(const char* stops) {
    std::string out;
    while (true) {
      int ch = peek();
      if (ch < 0) throw Error("syntax error: missing '}'");
      if (std::strchr(stops, ch)) {
        last_stop_ = next();
        return out;
      }
      if (ch == '$') {
        out += dollar();
        continue;
      }
      next();
      if (ch == escape_ && peek() >= 0) ch = next();
      out += static_cast<char>(ch);
    }
  }

  static bool glob(const std::string& pattern, const std::string& s) {
    return ::fnmatch(pattern.c_str(), s.c_str(), 0) == 0;
  }
  static std::string trim_pattern(const std::string& v, const std::string& pattern, bool prefix, bool longest) {
    const size_t n = v.size();
    for (size_t k = 0; k <= n; ++k) {
      size_t len = longest ? n - k : k;
      std::string part = prefix ? v.substr(0, len) : v.substr(n - len);
      if (glob(pattern, part)) return prefix ? v.substr(len) : v.substr(0, n - len);
    }
    return v;
  }
  static std::string replace_pattern(const std::string& v, const std::string& pattern, const std::string& repl,
                                     bool all) {
    std::string out;
    size_t i = 0;
    bool replaced = false;
    while (i <= v.size()) {
      size_t best = std::string::npos;
      if (!(replaced && !all)) {
        for (size_t len = v.size() - i; len + 1 > 0; --len) {
          if (glob(pattern, v.substr(i, len))) {
            best = len;
            break;
          }
          if (len == 0) break;
        }
      }
      if (best != std::string::npos && (best > 0 || !pattern.empty())) {
        out += repl;
        replaced = true;
        if (best == 0) {
          if (i < v.size()) out += v[i];
          ++i;
        } else {
          i += best;
        }
        continue;
      }
      if (i < v.size()) out += v[i];
      ++i;
    }
    return out;
  }

  std::string_view s_;
  size_t pos_ = 0;
  const Vars* vars_;
  char escape_;
  std::vector<std::string>* unknown_;
  bool unset_is_unknown_;
  int last_stop_ = 0;
};

// A word of the form [n]<<[-]NAME (NAME possibly quoted) names a heredoc.
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

}  // namespace

std::string expand_word(std::string_view word, const Vars& vars, char escape, std::vector<std::string>* unknown,
                        bool unset_is_unknown) {
  Lexer lex(word, &vars, escape, unknown, unset_is_unknown);
  return lex.word();
}

ParsedDockerfile parse_dockerfile(std::string_view text, const std::string& name) {
  ParsedDockerfile out;
  out.name = name;
  Directives d;

  // Lines keep their newline, as the heredoc bodies need it.
  std::vector<std::string_view> lines;
  for (size_t i = 0; i < text.size();) {
    size_t j = text.find('\n', i);
    size_t end = j == std::string_view::npos ? text.size() : j + 1;
    lines.push_back(text.substr(i, end - i));
    i = end;
  }
  if (!lines.empty() && lines[0].substr(0, 3) == "\xEF\xBB\xBF") lines[0].remove_prefix(3);

  size_t n = 0;  // lines consumed
  auto process = [&](std::string_view raw, bool strip_left, size_t lineno) {
    std::string_view token = trim_newline(raw);
    if (strip_left) token = trim_left(token);
    try {
      d.consider(token, lineno);
    } catch (const Error& e) {
      fail_at(name, lineno, e.what());
    }
    return !token.empty() && token[0] == '#' ? std::string() : std::string(token);
  };

  while (n < lines.size()) {
    std::string line = process(lines[n], true, n + 1);
    ++n;
    const size_t start = n;
    bool continued = trim_continuation(line, d.escape);
    if (!continued && line.empty()) continue;
    bool empty_continuation = false;
    while (continued && n < lines.size()) {
      std::string_view raw = lines[n];
      std::string part = process(raw, false, n + 1);
      ++n;
      if (is_comment(raw)) continue;
      if (trim_left(trim_newline(raw)).empty()) {
        empty_continuation = true;
        continue;
      }
      continued = trim_continuation(part, d.escape);
      line += part;
    }
    if (empty_continuation) {
      out.warnings.push_back(std::to_string(start) +
                             ": empty continuation line (Docker warns; a future release rejects it)");
    }

    DockerfileInstruction inst;
    inst.line = start;
    inst.original = line;
    std::string_view whole = trim(line);
    size_t cut = 0;
    while (cut < whole.size() && !is_blank(whole[cut])) ++cut;
    inst.keyword = std::string(whole.substr(0, cut));
    inst.command = lower(inst.keyword);
    std::string rest;
    if (cut < whole.size()) {
      std::string_view after = whole.substr(cut);
      while (!after.empty() && is_blank(after.front())) after.remove_prefix(1);
      rest = extract_flags(after, &inst.flags);
      rest = std::string(trim(rest));
    }
    try {
      parse_arguments(inst, rest, d.escape);
    } catch (const Error& e) {
      fail_at(name, start, e.what());
    }

    if (can_contain_heredoc(inst.command, inst.json) && line.find("<<") != std::string::npos) {
      for (Heredoc h : heredocs_in_line(line)) {
        bool terminated = false;
        while (n < lines.size()) {
          std::string_view raw = lines[n++];
          std::string_view candidate = trim_newline(raw);
          if (h.chomp) {
            while (!candidate.empty() && candidate.front() == '\t') candidate.remove_prefix(1);
          }
          if (candidate == h.name) {
            terminated = true;
            break;
          }
          h.content += raw;
        }
        if (!terminated) fail_at(name, start, "unterminated heredoc " + h.name);
        inst.heredocs.push_back(std::move(h));
      }
    }
    inst.end_line = n;
    out.instructions.push_back(std::move(inst));
  }
  out.directives = d.parsed;
  out.escape = d.escape;
  if (out.instructions.empty()) fail_at(name, std::max<size_t>(n, 1), "file with no instructions");
  return out;
}

// ---------------------------------------------------------------------------
// Evaluation

namespace {

// The frontend's flag parser (BFlags): --name=value, --bool[=true|false];
// unknown and repeated flags are errors.
class Flags {
 public:
  enum class Type { kString, kBool, kStrings };
  struct Flag {
    Type type;
    std::string value;
    std::vector<std::string> values;
    bool used = false;
  };

  void add(const std::string& name, Type type) { flags_[name] = Flag{type, {}, {}, false}; }

  void parse(const std::vector<std::string>& args) {
    for (const auto& arg : args) {
      if (arg.compare(0, 2, "--") != 0) throw Error("arg should start with -- : " + arg);
      std::string key = arg.substr(2), value;
      size_t eq = key.find('=');
      bool has_value = eq != std::string::npos;
      if (has_value) {
        value = key.substr(eq + 1);
        key.resize(eq);
      }
      auto it = flags_.find(key);
      if (it == flags_.end()) throw Error("unknown flag: " + key);
      Flag& f = it->second;
      if (f.used && f.type != Type::kStrings) throw Error("duplicate flag specified: " + key);
      f.used = true;
      switch (f.type) {
        case Type::kBool: {
          if (has_value && value.empty()) throw Error("missing a value on flag: " + key);
          std::string l = lower(value);
          if (l.empty()) l = "true";
          if (l != "true" && l != "false") throw Error("expecting boolean value for flag " + key + ", not: " + value);
          f.value = l;
          break;
        }
        case Type::kString:
          if (!has_value) throw Error("missing a value on flag: " + key);
          f.value = value;
          break;
        case Type::kStrings:
          if (!has_value) throw Error("missing a value on flag: " + key);
          f.values.push_back(value);
          break;
      }
    }
  }
  const Flag& get(const std::string& name) const { return flags_.at(name); }

 private:
  std::map<std::string, Flag> flags_;
};

struct StageState {
  Vars env;                         // ENV and ARG values in scope
  std::set<std::string> env_names;  // names set by ENV (they win over ARG)
  std::string workdir = "/";
  bool base_unknown = false;  // a real base image: it may set variables we cannot see
};

class Evaluator {
 public:
  Evaluator(Build& build, const BuildOptions& options) : b_(build), opt_(options) {}

  void run() {
    const auto& insts = b_.file.instructions;
    Vars global;
    size_t i = 0;
    // Instructions before the first FROM: only ARG is allowed.
    for (; i < insts.size() && insts[i].command != "from"; ++i) {
      const auto& inst = insts[i];
      if (inst.command != "arg") fail(inst, "no build stage in current context");
      declare_args(inst, global, nullptr, true);
    }
    if (i == insts.size()) fail(insts.back(), "no build stage in current context");
    StageState* state = nullptr;
    std::vector<StageState> states;
    states.reserve(insts.size());
    for (; i < insts.size(); ++i) {
      const auto& inst = insts[i];
      if (inst.command == "from") {
        current_base_unknown_ = false;
        start_stage(i, global, states);
        state = &states.back();
        current_base_unknown_ = state->base_unknown;
        continue;
      }
      BuildStage& stage = b_.stages.back();
      BuildStep step;
      step.instruction = i;
      step.workdir = state->workdir;
      if (inst.command == "arg") {
        declare_args(inst, state->env, state, false);
      } else if (inst.command == "env") {
        set_env(inst, *state);
      } else if (inst.command == "workdir") {
        if (inst.args.empty()) fail(inst, "WORKDIR requires exactly one argument");
        std::string wd = expand(inst, inst.args[0], state->env, &step.notes);
        if (wd.empty()) fail(inst, "cannot normalize nothing");
        state->workdir = wd[0] == '/' ? clean_path(wd) : clean_path(state->workdir + "/" + wd);
        step.kind = StepKind::kWorkdir;
        step.workdir = state->workdir;
      } else if (inst.command == "copy" || inst.command == "add") {
        step.kind = StepKind::kCopy;
        step.copy = parse_copy(inst, *state, &step.notes);
      } else if (inst.command == "run") {
        step.kind = StepKind::kRun;
        step.run_context_paths = bind_mounts(inst, *state, &step.notes);
      }
      stage.steps.push_back(std::move(step));
    }
    choose_target();
  }

 private:
  [[noreturn]] void fail(const DockerfileInstruction& inst, const std::string& msg) {
    fail_at(b_.file.name, inst.line, msg);
  }

  std::string expand(const DockerfileInstruction& inst, const std::string& word, const Vars& vars,
                     std::vector<std::string>* notes) {
    std::vector<std::string> unknown;
    std::string out;
    try {
      out = expand_word(word, vars, b_.file.escape, &unknown, current_base_unknown_);
    } catch (const Error& e) {
      fail(inst, e.what());
    }
    for (const auto& u : unknown) {
      std::string note = "$" + u + " comes from the base image; its value is unknown here (taken as empty)";
      if (notes && std::find(notes->begin(), notes->end(), note) == notes->end()) notes->push_back(note);
    }
    return out;
  }

  void declare_args(const DockerfileInstruction& inst, Vars& vars, StageState* state, bool global) {
    if (inst.args.empty()) fail(inst, "ARG requires at least one argument");
    for (const auto& word : inst.args) {
      std::string key = word, value;
      bool has_default = false;
      size_t eq = word.find('=');
      if (eq != std::string::npos) {
        key = word.substr(0, eq);
        value = expand(inst, word.substr(eq + 1), global ? global_vars_ : vars, nullptr);
        has_default = true;
      }
      if (state && state->env_names.count(key)) continue;  // ENV wins over ARG
      auto given = opt_.build_args.find(key);
      if (given != opt_.build_args.end()) {
        vars[key] = VarValue{given->second, true};
      } else if (has_default) {
        vars[key] = VarValue{value, true};
      } else if (!global) {
        // Redeclaring a global ARG brings its value into the stage.
        auto g = global_vars_.find(key);
        if (g != global_vars_.end()) {
          vars[key] = g->second;
        } else if (auto p = predefined(key)) {
          vars[key] = VarValue{*p, true};
        }
      } else if (auto p = predefined(key)) {
        vars[key] = VarValue{*p, true};
      }
      if (global) global_vars_ = vars;
    }
  }

  std::optional<std::string> predefined(const std::string& key) const { return opt_.builder->automatic_arg(key); }

  void set_env(const DockerfileInstruction& inst, StageState& state) {
    const auto& words = inst.args;
    if (words.empty()) fail(inst, "ENV must have two arguments");
    auto set = [&](const std::string& k, const std::string& v) {
      std::string key = expand(inst, k, state.env, nullptr);
      state.env[key] = VarValue{expand(inst, v, state.env, nullptr), true};
      state.env_names.insert(key);
    };
    if (words[0].find('=') == std::string::npos) {
      // The old form: ENV name value with spaces.
      std::string_view rest = trim(inst.original);
      rest.remove_prefix(std::min(rest.size(), inst.keyword.size()));
      rest = trim(rest);
      size_t cut = 0;
      while (cut < rest.size() && !is_blank(rest[cut])) ++cut;
      std::string_view value = trim(rest.substr(cut));
      if (value.empty()) fail(inst, "ENV must have two arguments");
      set(std::string(rest.substr(0, cut)), std::string(value));
      return;
    }
    for (const auto& w : words) {
      size_t eq = w.find('=');
      if (eq == std::string::npos)
        fail(inst, "Syntax error - can't find = in \"" + w + "\". Must be of the form: name=value");
      set(w.substr(0, eq), w.substr(eq + 1));
    }
  }

  void start_stage(size_t index, const Vars& global, std::vector<StageState>& states) {
    const auto& inst = b_.file.instructions[index];
    Flags flags;
    flags.add("platform", Flags::Type::kString);
    try {
      flags.parse(inst.flags);
    } catch (const Error& e) {
      fail(inst, e.what());
    }
    const auto& a = inst.args;
    if (!(a.size() == 1 || (a.size() == 3 && lower(a[1]) == "as"))) {
      fail(inst, "FROM requires either one or three arguments");
    }
    BuildStage stage;
    stage.line = inst.line;
    stage.base = expand(inst, a[0], global, nullptr);
    if (a.size() == 3) {
      stage.name = lower(a[2]);
      for (const auto& s : b_.stages) {
        if (!s.name.empty() && s.name == stage.name) fail(inst, "duplicate stage name \"" + stage.name + "\"");
      }
    }
    stage.base_stage = find_stage(b_, stage.base, b_.stages.size());
    stage.scratch = stage.base_stage < 0 && lower(stage.base) == "scratch";
    StageState st;
    if (stage.base_stage >= 0) {
      st = states[stage.base_stage];
    } else if (!stage.scratch) {
      // A real image brings an environment we cannot see.
      st.base_unknown = true;
    }
    states.push_back(std::move(st));
    b_.stages.push_back(std::move(stage));
  }

  CopyCommand parse_copy(const DockerfileInstruction& inst, StageState& state, std::vector<std::string>* notes) {
    CopyCommand c;
    c.add = inst.command == "add";
    const char* upper = c.add ? "ADD" : "COPY";
    if (inst.args.size() < 2) {
      fail(inst,
           std::string(upper) +
               " requires at least two arguments, but only one was provided. Destination could not be determined.");
    }
    Flags flags;
    flags.add("chown", Flags::Type::kString);
    flags.add("chmod", Flags::Type::kString);
    flags.add("link", Flags::Type::kBool);
    flags.add("exclude", Flags::Type::kStrings);
    if (c.add) {
      flags.add("checksum", Flags::Type::kString);
      flags.add("keep-git-dir", Flags::Type::kBool);
      flags.add("unpack", Flags::Type::kBool);
    } else {
      flags.add("from", Flags::Type::kString);
      flags.add("parents", Flags::Type::kBool);
    }
    try {
      flags.parse(inst.flags);
    } catch (const Error& e) {
      fail(inst, e.what());
    }
    Vars& vars = state.env;
    auto str = [&](const char* n) { return expand(inst, flags.get(n).value, vars, notes); };
    c.chown = str("chown");
    c.chmod = str("chmod");
    c.has_chmod = flags.get("chmod").used;
    c.link = flags.get("link").value == "true";
    for (const auto& e : flags.get("exclude").values) c.excludes.push_back(expand(inst, e, vars, notes));
    if (c.add) {
      c.checksum = str("checksum");
      c.keep_git_dir = flags.get("keep-git-dir").value == "true";
      if (flags.get("unpack").used) c.unpack = flags.get("unpack").value == "true";
    } else {
      c.from = str("from");
      c.parents = flags.get("parents").value == "true";
    }

    const std::string& dest_word = inst.args.back();
    if (parse_heredoc_word(dest_word)) fail(inst, std::string(upper) + " cannot accept a heredoc as a destination");
    std::map<std::string, const Heredoc*> bodies;
    for (const auto& h : inst.heredocs) bodies[h.name] = &h;
    for (size_t k = 0; k + 1 < inst.args.size(); ++k) {
      const std::string& word = inst.args[k];
      auto h = inst.json ? std::nullopt : parse_heredoc_word(word);
      if (h) {
        auto body = bodies.find(h->name);
        if (body != bodies.end()) h->content = body->second->content;
        if (h->chomp) {
          std::string chomped;
          bool at_start = true;
          for (char ch : h->content) {
            if (at_start && ch == '\t') continue;
            at_start = ch == '\n';
            chomped += ch;
          }
          h->content = chomped;
        }
        c.source_order.push_back(~c.heredoc_sources.size());
        c.heredoc_sources.push_back(*h);
      } else {
        c.source_order.push_back(c.sources.size());
        c.sources.push_back(expand(inst, word, vars, notes));
      }
    }
    c.dest = expand(inst, dest_word, vars, notes);
    return c;
  }

  // RUN --mount=type=bind,source=PATH (without from=) reads the context.
  std::vector<std::string> bind_mounts(const DockerfileInstruction& inst, StageState& state,
                                       std::vector<std::string>* notes) {
    std::vector<std::string> out;
    for (const auto& f : inst.flags) {
      if (f.compare(0, 8, "--mount=") != 0) continue;
      std::string type = "bind", source, from;
      bool has_source = false;
      std::string spec = f.substr(8);
      size_t i = 0;
      while (i <= spec.size()) {
        size_t j = spec.find(',', i);
        if (j == std::string::npos) j = spec.size();
        std::string field = spec.substr(i, j - i);
        size_t eq = field.find('=');
        std::string k = lower(field.substr(0, eq)), v = eq == std::string::npos ? "" : field.substr(eq + 1);
        if (k == "type") type = v;
        if (k == "source" || k == "src") {
          source = expand(inst, v, state.env, notes);
          has_source = true;
        }
        if (k == "from") from = v;
        i = j + 1;
      }
      if (type == "bind" && from.empty()) out.push_back(has_source ? source : "/");
    }
    return out;
  }

  void choose_target() {
    if (b_.stages.empty()) return;
    b_.target = b_.stages.size() - 1;
    if (!opt_.target.empty()) {
      int t = find_stage(b_, opt_.target, b_.stages.size());
      if (t < 0 || b_.stages[t].name.empty())
        throw Error("failed to reach build target " + opt_.target + " in Dockerfile");
      b_.target = static_cast<size_t>(t);
    }
    if (opt_.builder->runs_every_stage()) {
      // Every stage up to the target, in order.
      for (size_t s = 0; s <= b_.target; ++s) b_.stages[s].built = true;
      return;
    }
    // Only what the target depends on.
    std::vector<size_t> todo = {b_.target};
    while (!todo.empty()) {
      size_t s = todo.back();
      todo.pop_back();
      if (b_.stages[s].built) continue;
      b_.stages[s].built = true;
      if (b_.stages[s].base_stage >= 0) todo.push_back(static_cast<size_t>(b_.stages[s].base_stage));
      for (const auto& step : b_.stages[s].steps) {
        if (step.kind == StepKind::kCopy && !step.copy.from.empty()) {
          int dep = find_stage(b_, step.copy.from, s);
          if (dep >= 0) todo.push_back(static_cast<size_t>(dep));
        }
      }
    }
  }

  Build& b_;
  const BuildOptions& opt_;
  Vars global_vars_;
  bool current_base_unknown_ = false;
};

}  // namespace

int find_stage(const Build& build, std::string_view name, size_t before) {
  std::string l = lower(name);
  for (size_t i = 0; i < std::min(before, build.stages.size()); ++i) {
    if (!build.stages[i].name.empty() && build.stages[i].name == l) return static_cast<int>(i);
  }
  // A stage can also be named by its index.
  if (!l.empty() &&
      std::all_of(l.begin(), l.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
    size_t idx = std::stoul(l);
    if (idx < std::min(before, build.stages.size())) return static_cast<int>(idx);
  }
  return -1;
}

Build evaluate_dockerfile(ParsedDockerfile file, const BuildOptions& options) {
  Build build;
  build.file = std::move(file);
  Evaluator(build, options).run();
  return build;
}

}  // namespace ctxpack
