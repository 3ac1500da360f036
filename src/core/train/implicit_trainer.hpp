#pragma once
// Training for --objective implicit: weighted matrix factorization by
// alternating least squares (train/implicit_als.hpp), users then items in
// every iteration. train() calls it after its common preparation.
#include <vector>

#include "mfrec/model/dataset.hpp"
#include "mfrec/model/model.hpp"
#include "mfrec/train/trainer.hpp"

namespace mfrec::detail {

// Learns m's factors from `ratings` (m's indices, sorted by (user, item))
// in m.options.epochs iterations, reporting each to `on_epoch`; m already
// holds the id maps and the data's description, and gets its rated items
// here. Sets the mean to 0 and the biases to zero (and off): an implicit
// model is U·Vᵀ alone. Honours
// input.stop as train() does; throws Error(Diverged) when the objective is
// not finite.
void train_implicit(std::vector<Rating> ratings, Model& m, const TrainInput& input, const EpochCallback& on_epoch,
                    unsigned threads);

}  // namespace mfrec::detail
