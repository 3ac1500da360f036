// The option table: one row per training option drives validation, the
// names the grid accepts, the values shown, and the model file's layout.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <set>
#include <sstream>
#include <string>

#include "mfrec/error.hpp"
#include "mfrec/io/model_io.hpp"
#include "mfrec/train/grid_search.hpp"
#include "mfrec/train/train_options.hpp"

namespace mfrec {
namespace {

std::string usage_message(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Usage);
    return e.what();
  }
  return "(no error)";
}

TEST(TrainOptions, EveryStoredOptionHasItsOwnSlotAndEveryNameIsUnique) {
  std::set<int> slots;
  std::set<std::string> names;
  int stored = 0;
  for_each_option(TrainOptions{}, [&](const OptionSpec& spec, const auto&) {
    EXPECT_TRUE(names.insert(std::string(spec.name)).second) << spec.name;
    if (spec.file_slot >= 0) {
      EXPECT_TRUE(slots.insert(spec.file_slot).second) << spec.name;
      ++stored;
    }
  });
  // Slots 0..n-1 with no gap: the model file's options in order.
  ASSERT_FALSE(slots.empty());
  EXPECT_EQ(*slots.begin(), 0);
  EXPECT_EQ(*slots.rbegin(), stored - 1);
}

TEST(TrainOptions, TheDefaultsAreValid) { EXPECT_NO_THROW(TrainOptions{}.validate()); }

TEST(TrainOptions, ValidateNamesTheFlagAndTheRange) {
  TrainOptions o;
  o.lr = 0.0;
  EXPECT_EQ(usage_message([&] { o.validate(); }), "--lr must be > 0 and < 1000");
  o = {};
  o.factors = 5000;
  EXPECT_EQ(usage_message([&] { o.validate(); }), "-k/--factors must be between 1 and 4096");
  o = {};
  o.lambda = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(usage_message([&] { o.validate(); }), "--lambda must be >= 0 and < 1000000");
  o = {};
  o.lr_decay = 0.0;
  EXPECT_EQ(usage_message([&] { o.validate(); }), "--lr-decay must be > 0 and <= 1");
  o = {};
  o.epochs = 1000001;
  EXPECT_EQ(usage_message([&] { o.validate(); }), "-e/--epochs must be between 1 and 1000000");
  o = {};
  o.validation_fraction = 1.0;
  EXPECT_EQ(usage_message([&] { o.validate(); }), "--validation must be >= 0 and < 1");
}

TEST(TrainOptions, ANegativeLambdaBiasMeansLambda) {
  TrainOptions o;
  o.lambda = 0.25;
  o.lambda_bias = -1.0;
  EXPECT_NO_THROW(o.validate());
  EXPECT_EQ(o.bias_lambda(), 0.25);
  EXPECT_EQ(option_value(o, "lambda_bias"), 0.25);
  o.lambda_bias = 0.5;
  EXPECT_EQ(option_value(o, "lambda_bias"), 0.5);
}

TEST(TrainOptions, TheObjectivesHelpStatesTheImplicitDefaults) {
  // The help text is a constant; it must say what defaults_for() does.
  const TrainOptions d = TrainOptions::defaults_for(Objective::Implicit);
  std::string help;
  for_each_option(d, [&](const OptionSpec& spec, const auto&) {
    if (spec.name == "objective") help = std::string(spec.help);
  });
  std::ostringstream want;
  want << "-k " << d.factors << " --lambda " << d.lambda << " -e " << d.epochs;
  EXPECT_NE(help.find(want.str()), std::string::npos) << help << " lacks " << want.str();
  EXPECT_FALSE(d.bias);
  EXPECT_EQ(TrainOptions::defaults_for(Objective::Rating).factors, TrainOptions{}.factors);
}

TEST(TrainOptions, OptionsAreFoundByNameOrByAnyOfTheirFlags) {
  EXPECT_EQ(find_option("k")->name, "k");
  EXPECT_EQ(find_option("factors")->name, "k");
  EXPECT_EQ(find_option("reg")->name, "lambda");
  EXPECT_EQ(find_option("alpha")->name, "lr");
  EXPECT_EQ(find_option("e")->name, "epochs");
  EXPECT_EQ(find_option("lr-decay")->name, "lr_decay");
  EXPECT_EQ(find_option("lambda_bias")->name, "lambda_bias");
  EXPECT_FALSE(find_option("learning").has_value());
}

TEST(TrainOptions, SetOptionChecksRangeAndWholeness) {
  TrainOptions o;
  set_option(o, "k", 16);
  set_option(o, "lambda", 0.5);
  EXPECT_EQ(o.factors, 16u);
  EXPECT_EQ(o.lambda, 0.5);
  EXPECT_EQ(usage_message([&] { set_option(o, "k", 1.5); }), "k must be a whole number");
  EXPECT_EQ(usage_message([&] { set_option(o, "epochs", 0); }), "epochs must be between 1 and 1000000");
  EXPECT_EQ(usage_message([&] { set_option(o, "order", 1); }), "order cannot be set to a number");
  EXPECT_EQ(usage_message([&] { set_option(o, "nope", 1); }), "unknown option 'nope'");
}

TEST(GridSearch, AxesTakeTheTablesNamesAndLimits) {
  const GridAxis axis = parse_grid_axis("factors=2,4");
  EXPECT_EQ(axis.name, "k");
  EXPECT_EQ(axis.values, (std::vector<double>{2, 4}));
  EXPECT_EQ(usage_message([] { parse_grid_axis("seed=1,2"); }),
            "--grid seed=1,2: unknown option 'seed' (use k, lambda, lambda_row, lr, epochs, lr_decay, lambda_bias or confidence)");
  EXPECT_EQ(usage_message([] { parse_grid_axis("k=0"); }),
            "--grid k=0: bad value '0' (k must be between 1 and 4096)");
  EXPECT_EQ(grid_option_names(), (std::vector<std::string>{"k", "lambda", "lambda_row", "lr", "epochs", "lr_decay", "lambda_bias", "confidence"}));
}

TEST(GridSearch, ExpandGridVariesTheLastAxisFastest) {
  TrainOptions base;
  base.epochs = 7;
  const auto settings = expand_grid(base, {parse_grid_axis("k=2,4"), parse_grid_axis("lambda=0.1,0.2")});
  ASSERT_EQ(settings.size(), 4u);
  EXPECT_EQ(settings[0].factors, 2u);
  EXPECT_EQ(settings[0].lambda, 0.1);
  EXPECT_EQ(settings[1].factors, 2u);
  EXPECT_EQ(settings[1].lambda, 0.2);
  EXPECT_EQ(settings[3].factors, 4u);
  for (const auto& s : settings) EXPECT_EQ(s.epochs, 7u);
  EXPECT_EQ(expand_grid(base, {}).size(), 1u);
  EXPECT_EQ(usage_message([&] { expand_grid(base, {parse_grid_axis("k=2"), parse_grid_axis("factors=4")}); }),
            "--grid: k is already on the grid (list all its values in one --grid)");
}

// The model file keeps every stored option, each in its own type; a value
// out of the table's range is a damaged file, not a model.
TEST(TrainOptions, ModelFilesKeepEveryStoredOptionAndRefuseOutOfRangeOnes) {
  Model m;
  m.options.factors = 3;
  m.options.lr = 0.125;
  m.options.lambda = 0.5;
  m.options.epochs = 9;
  m.options.lr_decay = 0.75;
  m.options.lambda_bias = 0.0625;
  m.options.bias = false;
  m.options.normalize = true;
  m.options.order = Order::Sequential;
  m.options.seed = 77;
  m.options.validation_fraction = 0.25;
  m.options.early_stop = 4;
  m.rated_offsets = {0};
  m.user_factors = FactorMatrix(0, 3);
  m.item_factors = FactorMatrix(0, 3);
  const Model back = deserialize_model(serialize_model(m), "m");
  for_each_option(m.options, [&](const OptionSpec& spec, const auto&) {
    if (spec.file_slot >= 0) {
      EXPECT_EQ(option_value(back.options, spec.name), option_value(m.options, spec.name)) << spec.name;
    }
  });
  EXPECT_EQ(back.options.threads, 0u);  // never stored

  m.options.lr_decay = 2.0;  // out of range: the writer does not check, the reader must
  try {
    (void)deserialize_model(serialize_model(m), "m");
    ADD_FAILURE() << "an out-of-range option was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Format);
    EXPECT_NE(std::string(e.what()).find("bad lr_decay"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace mfrec
