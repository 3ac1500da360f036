#pragma once
// The training chart of `train --plot` and `mfrec plot`: objective, train
// RMSE and validation RMSE per epoch as a standalone SVG. RMSEs share the
// left axis; the objective, often orders of magnitude larger and falling
// steeply, has the right axis, on a log scale when it spans a factor of 10
// or more. Every tick label carries its value (data-value) and every line
// its axis (data-axis), so that a program can map the points back.
#include <string>
#include <vector>

namespace mfrec::cli {

struct EpochPoint {
  double epoch = 0;
  double objective = 0;
  double train_rmse = 0;
  double validation_rmse = 0;  // NaN: no validation
};

// The SVG text; `title` is shown above the chart. Throws Error(Data) for no
// epochs.
std::string render_training_plot(const std::vector<EpochPoint>& epochs, const std::string& title);

// The epochs of a --log-file: CSV with a header, or JSON Lines (a .jsonl or
// .ndjson path, or a first character '{'). Throws Error(Open|Data).
std::vector<EpochPoint> read_epoch_log(const std::string& path);

}  // namespace mfrec::cli
