// A small, strict flag parser for the ropebench commands: --flag VALUE, --flag=VALUE, repeatable
// flags with comma lists, and one-line errors that name the bad flag.
#pragma once

#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ropebench {

struct FlagSpec {
  std::string_view name;        // without the dashes
  std::string_view value_name;  // empty for a switch
  std::string_view help;
};

class ParsedArgs {
 public:
  bool Has(std::string_view flag) const { return values_.count(std::string(flag)) > 0; }
  // Every value given to a flag, with comma lists split: --dtype f32,bf16 --dtype f16.
  std::vector<std::string> List(std::string_view flag) const;
  // Every value given to a flag, as given (commands and paths may hold commas).
  std::vector<std::string> Values(std::string_view flag) const;
  // The last value given, or the fallback.
  std::string Value(std::string_view flag, std::string fallback = "") const;
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  friend std::string ParseArgs(std::span<const std::string>, std::span<const FlagSpec>, size_t,
                               ParsedArgs&);
  std::map<std::string, std::vector<std::string>> values_;
  std::vector<std::string> positional_;
};

// Parses args against the flags; `--help` is always accepted. At most max_positional bare words are
// allowed. Returns "" or the error, e.g. "unknown flag --frobnicate".
std::string ParseArgs(std::span<const std::string> args, std::span<const FlagSpec> flags,
                      size_t max_positional, ParsedArgs& out);

// A command's usage: `head` (the command and its arguments), then each flag as [--name VALUE],
// with "..." where its help says it is repeatable, then `tail`; wrapped at 100 columns under the
// command's name. Generated from the flag table, so that the flags are listed once.
std::string Synopsis(std::string_view head, std::span<const FlagSpec> flags,
                     std::string_view tail = "");

// The flag table as help text, one aligned line per flag.
std::string FlagHelp(std::span<const FlagSpec> flags);

}  // namespace ropebench
