// mfrec split RATINGS --test FRAC -o TRAIN --test-output TEST: a seeded
// train/test split written in the file's own layout (mfrec/io/split.hpp).
#include <fmt/format.h>

#include <filesystem>
#include <memory>

#include "commands.hpp"
#include "common_options.hpp"
#include "flag_range.hpp"
#include "interrupt.hpp"
#include "mfrec/error.hpp"
#include "mfrec/io/atomic_file.hpp"
#include "mfrec/io/split.hpp"
#include "mfrec/train/train_options.hpp"
#include "output.hpp"
#include "table_writer.hpp"

namespace mfrec::cli {

namespace {

struct SplitArgs {
  std::string ratings;
  std::string train_path, test_path;
  ReadFlags read;
  SplitOptions options;
  unsigned threads = 0;
  bool quiet = false;
};

// The same file, however spelt (./a.csv, a link to it); a file that does not
// exist yet by its normalised path.
bool same_file(const std::string& a, const std::string& b) {
  namespace fs = std::filesystem;
  std::error_code error;
  if (fs::equivalent(a, b, error)) return true;
  const fs::path pa = fs::weakly_canonical(a, error), pb = fs::weakly_canonical(b, error);
  return error ? a == b : pa == pb;
}

// Two outputs, and neither is RATINGS: an output replaces its file only once
// the split is done, but the input would be lost all the same.
void check_paths(const SplitArgs& a) {
  if (same_file(a.train_path, a.test_path))
    throw Error(ErrorKind::Usage, "-o and --test-output name the same file (" + a.test_path + "): give two files");
  if (a.ratings == "-") return;
  for (const std::string* out : {&a.train_path, &a.test_path})
    if (same_file(a.ratings, *out))
      throw Error(ErrorKind::Usage,
                  "the output " + *out + " is the input " + a.ratings + ": write the parts elsewhere");
}

void log_split(const SplitCounts& c, const ReadReport& report, const SplitArgs& a) {
  for (const auto& note : report.notes) log_line("mfrec: note: " + note);
  log_line(fmt::format("mfrec: split {} ratings: {} to {}, {} to {}", group_thousands(c.ratings),
                       group_thousands(c.train), a.train_path, group_thousands(c.test), a.test_path));
}

void run_split(const SplitArgs& a) {
  check_paths(a);
  SplitOptions options = a.options;
  options.validate();
  options.read = a.read.resolve();
  options.read.threads = a.threads;
  options.stop = &interrupt_requested();
  install_interrupt_handlers();
  // Created first, so a bad path fails before a long read; each replaces its
  // file only at commit, and neither is left behind by an error or a signal.
  AtomicFile train(a.train_path), test(a.test_path);
  ReadReport report;
  const SplitCounts counts = split_ratings(
      a.ratings, options, [&train](std::string_view bytes) { train.write(bytes); },
      [&test](std::string_view bytes) { test.write(bytes); }, &report);
  train.commit();
  test.commit();
  if (!a.quiet) log_split(counts, report, a);
}

}  // namespace

Runner register_split(CLI::App& app) {
  auto a = std::make_shared<SplitArgs>();
  a->options.seed = TrainOptions{}.seed;  // train's default, so the two agree unless told otherwise
  CLI::App* cmd = app.add_subcommand("split", "write a seeded train/test split of a ratings file");
  cmd->add_option("RATINGS", a->ratings, "ratings file (wide or long layout), or - for stdin")->required();
  cmd->add_option("--test", a->options.test_fraction,
                  "fraction of the ratings held out for the test part, in (0, 1), e.g. 0.2 (required)")
      ->required()
      ->default_str("");
  cmd->add_option("-o,--output,--train-output", a->train_path, "the training part, written atomically (required)")
      ->required();
  cmd->add_option("--test-output", a->test_path, "the test part, written atomically (required)")->required();
  cmd->add_option("--seed", a->options.seed, "random seed: the same seed and file give the same parts");
  cmd->add_flag("--by-user", a->options.by_user,
                "hold out the fraction of each user's ratings (rounded; every user keeps at least one in training)");
  cmd->add_option("--threads", a->threads,
                  "threads reading the file (default: all cores); the parts do not depend on it")
      ->check(whole_range(0, kMaxThreads));
  cmd->add_flag("-q,--quiet", a->quiet, "print nothing on stderr but errors");
  add_read_options(*cmd, a->read);
  cmd->footer(
      "Examples:\n"
      "  mfrec split ratings.csv --test 0.2 -o train.csv --test-output test.csv\n"
      "  mfrec split ratings.csv --test 0.1 --by-user --seed 7 -o train.csv --test-output test.csv");
  return [a] { run_split(*a); };
}

}  // namespace mfrec::cli
