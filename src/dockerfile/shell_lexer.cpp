// The frontend's shell lexer: quotes, escapes and variable expansion.
#include <fnmatch.h>

#include <algorithm>
#include <cctype>
#include <cstring>

#include "syntax.h"

namespace ctxpack {

namespace dockerfile {

std::string Lexer::word() {
  std::string out = stop_on(0, nullptr);
  return out;
}

std::vector<std::string> Lexer::words() {
  std::vector<std::string> out;
  stop_on(0, &out);
  return out;
}

std::string Lexer::stop_on(int stop, std::vector<std::string>* words) {
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

std::string Lexer::single_quote() {
  next();
  std::string out;
  while (true) {
    int ch = next();
    if (ch < 0) throw Error("unexpected end of statement while looking for matching single-quote");
    if (ch == '\'') return out;
    out += static_cast<char>(ch);
  }
}

std::string Lexer::double_quote() {
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

std::string Lexer::name() {
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

const VarValue* Lexer::lookup(const std::string& n) {
  if (!vars_) return nullptr;
  auto it = vars_->find(n);
  bool unknown = it == vars_->end() ? unset_is_unknown_ : !it->second.known;
  if (unknown && unknown_ && std::find(unknown_->begin(), unknown_->end(), n) == unknown_->end()) {
    unknown_->push_back(n);
  }
  return it == vars_->end() ? nullptr : &it->second;
}

std::string Lexer::dollar() {
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

std::string Lexer::stop_on_any(const char* stops) {
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

bool Lexer::glob(const std::string& pattern, const std::string& s) {
  return ::fnmatch(pattern.c_str(), s.c_str(), 0) == 0;
}

std::string Lexer::trim_pattern(const std::string& v, const std::string& pattern, bool prefix, bool longest) {
  const size_t n = v.size();
  for (size_t k = 0; k <= n; ++k) {
    size_t len = longest ? n - k : k;
    std::string part = prefix ? v.substr(0, len) : v.substr(n - len);
    if (glob(pattern, part)) return prefix ? v.substr(len) : v.substr(0, n - len);
  }
  return v;
}

std::string Lexer::replace_pattern(const std::string& v, const std::string& pattern, const std::string& repl, bool all) {
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

}  // namespace dockerfile

std::string expand_word(std::string_view word, const Vars& vars, char escape, std::vector<std::string>* unknown,
                        bool unset_is_unknown) {
  dockerfile::Lexer lex(word, &vars, escape, unknown, unset_is_unknown);
  return lex.word();
}

}  // namespace ctxpack
