// mfrec plot LOGFILE: the chart of a train --log-file (CSV or JSON Lines) as
// SVG, to -o FILE.svg (atomically) or stdout.
#include <memory>

#include "commands.hpp"
#include "output.hpp"
#include "plot.hpp"

namespace mfrec::cli {

namespace {

struct PlotArgs {
  std::string log;
  std::string output;
  std::string title;
};

void run_plot(const PlotArgs& a) {
  const std::vector<EpochPoint> epochs = read_epoch_log(a.log);
  const std::string svg = render_training_plot(epochs, a.title.empty() ? "mfrec training: " + a.log : a.title);
  Sink sink(a.output);
  sink.write(svg);
  sink.commit();
}

}  // namespace

Runner register_plot(CLI::App& app) {
  auto a = std::make_shared<PlotArgs>();
  CLI::App* cmd = app.add_subcommand("plot", "chart a train --log-file (objective, train and validation RMSE) as SVG");
  cmd->add_option("LOGFILE", a->log, "per-epoch log written by train --log-file (CSV or JSON Lines)")->required();
  cmd->add_option("-o,--output", a->output, "write the SVG to this file, atomically (default: stdout)");
  cmd->add_option("--title", a->title, "the chart's title (default: mfrec training: LOGFILE)");
  cmd->footer(
      "Examples:\n"
      "  mfrec train data/music.csv -e 200 --validation 0.2 --log-file log.csv\n"
      "  mfrec plot log.csv -o training.svg\n"
      "  mfrec train data/music.csv --plot training.svg   (the same chart, drawn by train)");
  return [a] { run_plot(*a); };
}

}  // namespace mfrec::cli
