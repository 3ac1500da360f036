// mfrec(1), written from the CLI::App tree: the same commands, options,
// defaults and examples as --help, so the page cannot fall behind the flags.
#include <csignal>
#include <sstream>

#include "exit_codes.hpp"
#include "help.hpp"

namespace mfrec::cli {

namespace {

// roff takes backslashes and dashes literally only when escaped, and a line
// starting with '.' or '\'' as a request.
std::string roff(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\\') out += "\\e";
    else if (c == '-') out += "\\-";
    else out += c;
  }
  std::string lines;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) {
    if (!lines.empty()) lines += '\n';
    lines += (!line.empty() && (line[0] == '.' || line[0] == '\'') ? "\\&" : "") + line;
  }
  return lines;
}

// "-k, --factors UINT (default: 128)"
std::string option_heading(const CLI::Option& o) {
  std::string names = o.get_name(false, true);
  for (std::size_t at = names.find(','); at != std::string::npos; at = names.find(',', at + 2)) names.insert(at + 1, " ");
  std::string head = "\\fB" + roff(names) + "\\fR";
  if (o.get_type_size() != 0 && !o.get_type_name().empty()) head += " \\fI" + roff(o.get_type_name()) + "\\fR";
  if (!o.get_default_str().empty()) head += " (default: " + roff(o.get_default_str()) + ")";
  return head;
}

void write_command(std::ostream& out, const CLI::App& cmd) {
  out << ".SS \"mfrec " << cmd.get_name() << "\"\n" << roff(cmd.get_description()) << "\n";
  for (const CLI::Option* o : visible_options(cmd)) {
    if (o->get_name() == "--help") continue;  // every command has it; said once in OPTIONS
    out << ".TP\n" << option_heading(*o) << "\n" << roff(o->get_description()) << "\n";
  }
  const std::string footer = cmd.get_footer();
  if (!footer.empty()) out << ".PP\n.nf\n" << roff(footer) << "\n.fi\n";
}

void write_exit_status(std::ostream& out) {
  const std::pair<int, const char*> codes[] = {
      {kExitOk, "success (also --help, --version, help)"},
      {kExitUsage, "usage: unknown command or option, bad value, missing argument"},
      {kExitData, "data: malformed ratings, a corrupt or newer model file, an unknown user asked for by name, "
                  "training diverged"},
      {kExitNoInput, "an input file or the model cannot be opened"},
      {kExitInternal, "internal error (a bug)"},
      {kExitCantCreate, "the output or model cannot be created"},
      {kExitIo, "a read or write failed midway"},
      {128 + SIGINT, "train or split stopped by SIGINT (nothing written unless train --save-on-interrupt)"},
      {128 + SIGTERM, "train or split stopped by SIGTERM (the same)"},
  };
  out << ".SH \"EXIT STATUS\"\n";
  for (const auto& [code, meaning] : codes) out << ".TP\n.B " << code << "\n" << roff(meaning) << "\n";
}

}  // namespace

std::string man_page(const CLI::App& app) {
  std::ostringstream out;
  out << ".TH MFREC 1 \"\" \"" << roff(version_text()) << "\" \"User Commands\"\n"
      << ".nh\n.SH NAME\nmfrec \\- " << roff(app.get_description()) << "\n"
      << ".SH SYNOPSIS\n.B mfrec\n.I command\n[\\fIoptions\\fR]\n.br\n.B mfrec help\n[\\fIcommand\\fR]\n"
      << ".SH DESCRIPTION\n"
      << roff("mfrec learns a matrix factorization of a ratings CSV (wide: one row per user, one column per item; "
              "or long: user,item,rating rows) by stochastic gradient descent, saves the model, and answers "
              "queries from it. Results go to stdout (a table on a terminal, CSV otherwise); logs and errors "
              "to stderr.")
      << "\n.SH OPTIONS\n.TP\n\\fB\\-h, \\-\\-help\\fR\nprint the help of mfrec or of a command and exit\n"
      << ".TP\n\\fB\\-\\-version\\fR\nprint the version and the SGD kernel this CPU uses, and exit\n"
      << ".SH COMMANDS\n";
  for (const CLI::App* cmd : visible_commands(app))
    if (cmd->get_name() != "help") write_command(out, *cmd);
  out << ".SH ENVIRONMENT\n.TP\n.B MFREC_MODEL\nthe model file when \\fB\\-m\\fR is not given (else ./mfrec.model)\n";
  write_exit_status(out);
  out << ".SH \"SEE ALSO\"\n" << roff("mfrec help COMMAND, mfrec COMMAND --help") << "\n";
  return out.str();
}

}  // namespace mfrec::cli
