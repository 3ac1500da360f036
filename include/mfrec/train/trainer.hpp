#pragma once
// Trains a Model from ratings: with SGD on the squared error (the rating
// objective), or by alternating least squares on weighted interactions
// (--objective implicit). Single entry point; progress is reported through a
// callback after every epoch, an ALS iteration for implicit (on the calling
// thread).
// Throws Error(Usage) for bad options, Error(Data) for unusable data and
// Error(Diverged) when the objective stops being finite or explodes, and
// Error(Internal) when the Dataset breaks its contract (unsorted, repeated
// pairs, ids out of range).
#include <atomic>
#include <functional>
#include <limits>

#include "mfrec/model/dataset.hpp"
#include "mfrec/model/model.hpp"
#include "mfrec/train/train_options.hpp"

namespace mfrec {
namespace dist {
class Cluster;
}


struct EpochReport {
  std::uint32_t epoch = 0;  // 1-based
  std::uint32_t epochs = 0;
  // Rating, --optimizer sgd: Σe² + λ(‖U‖²+‖V‖²+‖b‖²+‖c‖²), training scale
  // (the seed's). adagrad: the objective its steps minimise, Σe² +
  // ½Σ_rows (λ·n + λ_row)‖x‖² + ½λ_b·Σ_rows n·b² (n: the row's ratings;
  // src/core/train/adagrad.hpp), on which --tol decides. Implicit: the
  // weighted loss over all user-item pairs plus the penalty (implicit_als.hpp).
  double objective = 0.0;
  double train_rmse = 0.0;  // input scale, clipped predictions
  double validation_rmse = std::numeric_limits<double>::quiet_NaN();  // NaN: none
  double validation_mae = std::numeric_limits<double>::quiet_NaN();
  double seconds = 0.0;     // this epoch, wall clock
  double sgd_seconds = 0.0; // of which the SGD updates (the rest: measuring the fit)
  bool improved = false;    // validation improved (or no validation)
  // Across ranks (TrainInput::cluster): the bytes this rank sent to its
  // peers in this epoch. 0 for a process alone.
  std::uint64_t bytes_sent = 0;
};
using EpochCallback = std::function<void(const EpochReport&)>;

struct TrainInput {
  const Dataset* ratings = nullptr;     // everything read; sorted, no duplicates
  const Dataset* validation = nullptr;  // optional file of held-out ratings
  // When set (from a signal handler, say), training stops before the next
  // block: it throws Error(Interrupted), or with keep_on_stop returns the
  // model as it is.
  const std::atomic<bool>* stop = nullptr;
  bool keep_on_stop = false;
  // Instead of `ratings`: the same, which train() may empty (it moves the
  // ratings and id maps out), so that a large data set is never held twice.
  Dataset* take_ratings = nullptr;
  // A warm start (train --init): training starts from this model's factors
  // and keeps what it knew (mfrec/train/warm_start.hpp). Its options must
  // match (check_warm_start); `options` should be its own where not meant
  // to change. Read only; it must outlive train().
  const Model* init = nullptr;
  // With `init`: train on the ratings it kept (Model::given_rating) as well,
  // those `ratings` does not hold, so that a warm start on new ratings alone
  // does not forget the old ones. Error(Usage) when init kept none.
  bool replay = false;
  // The ranks to train with (`mpirun -np N mfrec train`, src/core/dist):
  // each runs the blocks of its user bands, and every rank returns the model
  // one process would, byte for byte. Every rank passes the same Dataset and
  // options. nullptr: this process alone.
  const dist::Cluster* cluster = nullptr;
};

Model train(const TrainInput& input, const TrainOptions& options, const EpochCallback& on_epoch = {});

// Σe² + λ(‖U‖²+‖V‖²+‖b‖²+‖c‖²) of a rating model over `ratings` on the
// training scale (ratings given on the input scale). Throws Error(Usage) for
// an implicit model, whose objective runs over every user-item pair.
double objective(const Model& model, const std::vector<Rating>& ratings);

// The SGD kernel train() uses on this CPU ("AVX-512", "AVX2+FMA" or
// "baseline"), chosen once at the first call; for `mfrec --version`.
const char* sgd_kernel_name();

}  // namespace mfrec
