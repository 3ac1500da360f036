#pragma once
// Warm start (`train RATINGS --init MODEL`): training that starts from a
// trained model instead of random factors. Users and items MODEL knows (by
// name) start from its factors and biases; new ones start as a cold start
// would. The model trained is a model of everything known: MODEL's users and
// items that RATINGS does not mention keep their factors, and its index of
// rated items, popularity and titles are MODEL's and RATINGS' together.
// Pass the model as TrainInput::init; train() does the rest.
#include "mfrec/model/id_map.hpp"
#include "mfrec/model/model.hpp"
#include "mfrec/train/train_options.hpp"

namespace mfrec {

// Throws Error(Usage) when training with `options` cannot continue `init`:
// another k, objective, bias or normalization means factors of another
// shape or scale; or when asked to `replay` (TrainInput::replay) a model
// that kept no ratings.
void check_warm_start(const Model& init, const TrainOptions& options, bool replay = false);

// The ids of a model warm-started from a model with ids `known` on data with
// ids `data`: `known` in its order (so its indices stay valid), then the new
// ones of `data` in their order.
IdMap merged_ids(const IdMap& known, const IdMap& data);

}  // namespace mfrec
