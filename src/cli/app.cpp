#include "app.hpp"

#include "help.hpp"
#include "mpi_session.hpp"

namespace mfrec::cli {

namespace {
// Every option captures its starting value as the default help shows; two
// kinds say more in words instead: a repeatable option ("[]" says nothing),
// and one whose help states its default ("-1" is not "default: --lambda").
void tidy_defaults(CLI::App& app) {
  for (CLI::App* cmd : app.get_subcommands([](CLI::App*) { return true; }))
    for (CLI::Option* o : cmd->get_options())
      if (o->get_default_str() == "[]" || o->get_description().find("(default: ") != std::string::npos)
        o->default_str("");
}
}  // namespace

CliApp make_app() {
  CliApp cli;
  cli.app = std::make_unique<CLI::App>("matrix-factorization recommender (SGD) for ratings CSV files", "mfrec");
  CLI::App& app = *cli.app;
  // The second line says whether this binary can train across MPI ranks.
  app.set_version_flag("--version", version_text() + "\n" + mpi_version_line(),
                       "print the version and the SGD kernel this CPU uses");
  app.set_help_flag("-h,--help", "print this help and exit");
  app.require_subcommand(1);
  app.fallthrough(false);
  // Options show the value they start with; one whose default is not a
  // value says it in words ("default: all cores").
  app.option_defaults()->always_capture_default();
  // CLI.md's order.
  cli.runners = {
      {"train", register_train(app)},       {"predict", register_predict(app)},
      {"similarity", register_similarity(app)}, {"recommend", register_recommend(app)},
      {"evaluate", register_evaluate(app)}, {"info", register_info(app)},
      {"cv", register_cv(app)},             {"tune", register_tune(app)},
      {"split", register_split(app)},       {"plot", register_plot(app)},
      {"help", register_help(app)},
  };
  tidy_defaults(app);
  app.footer(
      "Run 'mfrec help COMMAND' (or 'mfrec COMMAND --help') for a command's options.\n\n"
      "Examples:\n"
      "  mfrec train data/music.csv -m music.model\n"
      "  mfrec recommend -m music.model --user Hermione --top 3\n"
      "  mfrec help train");
  return cli;
}

}  // namespace mfrec::cli
