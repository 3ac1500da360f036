#include "help.hpp"

#include <cstdio>
#include <memory>

#include "mfrec/error.hpp"
#include "mfrec/train/trainer.hpp"
#include "parse_errors.hpp"
#include "suggest.hpp"

namespace mfrec::cli {

namespace {

struct HelpArgs {
  std::string command;
  bool man = false;
  std::string completion;
};

void print(const std::string& text) {
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
}

}  // namespace

std::string version_text() { return std::string("mfrec ") + MFREC_VERSION + " (SGD kernel: " + sgd_kernel_name() + ")"; }

std::vector<const CLI::Option*> visible_options(const CLI::App& command) {
  return command.get_options([](const CLI::Option* o) { return !o->get_group().empty(); });
}

std::vector<const CLI::App*> visible_commands(const CLI::App& app) {
  return app.get_subcommands([](const CLI::App* sub) { return !sub->get_group().empty(); });
}

std::string help_text(const CLI::App& app, const std::string& command) {
  // Not app.help(): it would describe the command being run (`help`).
  if (command.empty()) return app.get_formatter()->make_help(&app, app.get_name(), CLI::AppFormatMode::Normal);
  for (const CLI::App* sub : visible_commands(app))
    if (sub->get_name() == command) return sub->help(app.get_name());
  throw Error(ErrorKind::Usage, "help: unknown command '" + command + "'" +
                                    did_you_mean(close_matches(command, command_names(app), 2)) +
                                    " (see mfrec help)");
}

Runner register_help(CLI::App& app) {
  auto a = std::make_shared<HelpArgs>();
  CLI::App* cmd = app.add_subcommand("help", "the overview, or `help COMMAND` for one command");
  cmd->add_option("COMMAND", a->command, "the command to explain (default: the overview)");
  cmd->add_flag("--man", a->man, "print the man page mfrec(1) in roff")->group("");
  cmd->add_option("--completion", a->completion, "print the completion script for bash, zsh or fish")->group("");
  cmd->footer("Examples:\n  mfrec help\n  mfrec help recommend\n  mfrec recommend --help");
  return [a, &app] {
    if (a->man) return print(man_page(app));
    if (!a->completion.empty()) return print(completion_script(app, a->completion));
    print(help_text(app, a->command));
  };
}

}  // namespace mfrec::cli
