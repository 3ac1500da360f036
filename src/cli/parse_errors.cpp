#include "parse_errors.hpp"

#include <regex>

#include "suggest.hpp"

namespace mfrec::cli {

namespace {

const CLI::App* find_command(const CLI::App& app, const std::string& name) {
  const auto found = app.get_subcommands([&](const CLI::App* sub) { return sub->get_name() == name; });
  return found.empty() ? nullptr : found.front();
}

std::string see_help(const CLI::App* command) {
  return command ? " (see mfrec " + command->get_name() + " --help)" : " (see mfrec --help)";
}

// Every spelling of every option of `scope`: "--user", "-u", ...
std::vector<std::string> option_spellings(const CLI::App& scope) {
  std::vector<std::string> names;
  for (const CLI::Option* o : scope.get_options()) {
    for (const auto& l : o->get_lnames()) names.push_back("--" + l);
    for (const auto& s : o->get_snames()) names.push_back("-" + s);
  }
  return names;
}

// The option word of `arg` ("--usr" of "--usr=x", "-x" of "-xyz"), or "" when
// `arg` is a value: "-", "-3", "-0.5".
std::string option_word(const std::string& arg) {
  if (arg.size() < 2 || arg[0] != '-') return "";
  if (arg[1] != '-') return (arg[1] >= '0' && arg[1] <= '9') || arg[1] == '.' ? "" : arg.substr(0, 2);
  return arg.substr(0, arg.find('='));
}

// The first word of `args` that looks like an option `scope` does not have.
std::string first_unknown_option(const CLI::App& scope, const std::vector<std::string>& args, std::size_t from) {
  for (std::size_t i = from; i < args.size() && args[i] != "--"; ++i) {
    const std::string word = option_word(args[i]);
    if (!word.empty() && !scope.get_option_no_throw(word)) return word;
  }
  return "";
}

// An unknown option comes first: it is usually why CLI11 saw a stray
// argument or missed a required one (`train --fac 8`).
std::string unknown_option(const CLI::App& app, const CLI::App* command, const std::vector<std::string>& args) {
  const CLI::App& scope = command ? *command : app;
  const std::string word = first_unknown_option(scope, args, command ? 1 : 0);
  if (word.empty()) return "";
  return (command ? command->get_name() + ": " : "") + "unknown option '" + word + "'" +
         did_you_mean(close_matches(word, option_spellings(scope), 2)) + see_help(command);
}

std::string unexpected(const CLI::App& app, const CLI::App* command) {
  const std::string where = command ? command->get_name() + ": " : "";
  const std::vector<std::string> extra = command ? command->remaining() : app.remaining();
  const std::string first = extra.empty() ? std::string("?") : extra.front();
  return where + "unexpected argument '" + first + "'" + see_help(command);
}

// CLI11 words its value errors "NAME: PROBLEM"; CLI.md's form is
// "NAME PROBLEM", with a list of choices written out.
std::string value_problem(const std::string& what) {
  static const std::regex not_in(R"(^(\S+): (.*) not in \{(.*)\}$)");
  static const std::regex missing(R"(^(\S+): \d+ required .* missing$)");
  static const std::regex convert(R"(^Could not convert: (\S+) = (.*)$)");
  static const std::regex not_number(R"(^(\S+): '(.*)' is not a number$)");
  static const std::regex named(R"(^(-\S+): (.*)$)");
  std::smatch m;
  if (std::regex_match(what, m, not_in))
    return m.str(1) + " must be one of " + std::regex_replace(m.str(3), std::regex(","), ", ") + " (not '" +
           m.str(2) + "')";
  if (std::regex_match(what, m, missing)) return m.str(1) + " needs a value";
  if (std::regex_match(what, m, convert)) return m.str(1) + " cannot be '" + m.str(2) + "'";
  if (std::regex_match(what, m, not_number)) return m.str(1) + " must be a number (not '" + m.str(2) + "')";
  if (std::regex_match(what, m, named)) return m.str(1) + " " + m.str(2);
  return what;
}

}  // namespace

std::vector<std::string> command_names(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) names.push_back(sub->get_name());
  return names;
}

std::string unknown_command_message(const CLI::App& app, const std::string& name) {
  const std::vector<std::string> names = command_names(app);
  std::string list;
  for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
  return "unknown command '" + name + "'" + did_you_mean(close_matches(name, names, 2)) + " (commands: " + list +
         "; see mfrec help)";
}

std::string parse_error_message(const CLI::App& app, const CLI::ParseError& error,
                                const std::vector<std::string>& args) {
  const CLI::App* command = args.empty() ? nullptr : find_command(app, args.front());
  const std::string what = error.what();
  if (std::string unknown = unknown_option(app, command, args); !unknown.empty()) return unknown;
  if (dynamic_cast<const CLI::ExtrasError*>(&error)) return unexpected(app, command);
  if (const auto* required = dynamic_cast<const CLI::RequiredError*>(&error); required && command)
    return command->get_name() + " needs " + what.substr(0, what.find(' ')) + see_help(command);
  return value_problem(what) + see_help(command);
}

}  // namespace mfrec::cli
