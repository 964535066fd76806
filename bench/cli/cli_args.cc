#include "bench/cli/cli_args.h"

#include <algorithm>

#include "fmt/format.h"

namespace ropebench {

std::vector<std::string> ParsedArgs::List(std::string_view flag) const {
  std::vector<std::string> items;
  auto found = values_.find(std::string(flag));
  if (found == values_.end()) return items;
  for (const std::string& value : found->second) {
    size_t start = 0;
    while (start <= value.size()) {
      const size_t comma = std::min(value.find(',', start), value.size());
      if (comma > start) items.push_back(value.substr(start, comma - start));
      start = comma + 1;
    }
  }
  return items;
}

std::vector<std::string> ParsedArgs::Values(std::string_view flag) const {
  auto found = values_.find(std::string(flag));
  return found == values_.end() ? std::vector<std::string>{} : found->second;
}

std::string ParsedArgs::Value(std::string_view flag, std::string fallback) const {
  auto found = values_.find(std::string(flag));
  return found == values_.end() || found->second.empty() ? fallback : found->second.back();
}

std::string ParseArgs(std::span<const std::string> args, std::span<const FlagSpec> flags,
                      size_t max_positional, ParsedArgs& out) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg.rfind("--", 0) != 0 || arg == "--") {
      if (out.positional_.size() >= max_positional) return "unexpected argument '" + arg + "'";
      out.positional_.push_back(arg);
      continue;
    }
    const size_t equals = arg.find('=');
    const std::string name =
        arg.substr(2, equals == std::string::npos ? std::string::npos : equals - 2);
    if (name == "help") {
      out.values_["help"].push_back("");
      continue;
    }
    auto spec =
        std::find_if(flags.begin(), flags.end(), [&](const FlagSpec& f) { return f.name == name; });
    if (spec == flags.end()) return "unknown flag --" + name;
    if (spec->value_name.empty()) {
      if (equals != std::string::npos) return "flag --" + name + " takes no value";
      out.values_[name].push_back("");
      continue;
    }
    if (equals != std::string::npos) {
      out.values_[name].push_back(arg.substr(equals + 1));
    } else if (i + 1 < args.size()) {
      out.values_[name].push_back(args[++i]);
    } else {
      return fmt::format("flag --{} needs a value ({})", name, spec->value_name);
    }
    if (out.values_[name].back().empty()) return "flag --" + name + " has an empty value";
  }
  return "";
}

std::string Synopsis(std::string_view head, std::span<const FlagSpec> flags,
                     std::string_view tail) {
  constexpr size_t kWidth = 100;
  constexpr std::string_view kPrefix = "usage: ";
  // Continuation lines start under the first argument after "ropebench COMMAND".
  const size_t second_space = head.find(' ', head.find(' ') + 1);
  const size_t indent =
      kPrefix.size() + (second_space == std::string_view::npos ? head.size() : second_space) + 1;
  std::string text(head);
  size_t column = kPrefix.size() + head.size();
  auto place = [&](std::string_view item) {
    if (column + 1 + item.size() > kWidth) {
      text.append("\n").append(indent, ' ');
      column = indent;
    } else {
      text.append(" ");
      ++column;
    }
    text.append(item);
    column += item.size();
  };
  for (const FlagSpec& f : flags) {
    std::string item = "[--";
    item.append(f.name);
    if (!f.value_name.empty()) item.append(" ").append(f.value_name);
    item.append(f.help.find("repeatable") != std::string_view::npos ? "]..." : "]");
    place(item);
  }
  if (!tail.empty()) place(tail);
  return text;
}

std::string FlagHelp(std::span<const FlagSpec> flags) {
  std::string text;
  for (const FlagSpec& f : flags) {
    const std::string left = f.value_name.empty() ? fmt::format("--{}", f.name)
                                                  : fmt::format("--{} {}", f.name, f.value_name);
    text += fmt::format("  {:<28} {}\n", left, f.help);
  }
  text += fmt::format("  {:<28} {}\n", "--help", "show this help");
  return text;
}

}  // namespace ropebench
