#include "train_flags.hpp"

namespace mfrec::cli {

TrainOptions TrainFlags::resolve() const {
  TrainOptions o = train;
  o.bias = !no_bias;
  o.order = parse_order(order);
  return o;
}

void add_train_flags(CLI::App& cmd, TrainFlags& flags) {
  TrainOptions& t = flags.train;
  cmd.add_option("-k,--factors", t.factors, "latent dimensions")->check(CLI::Range(1u, 4096u))->capture_default_str();
  cmd.add_option("--lr,--alpha", t.lr, "learning rate α")->check(CLI::PositiveNumber)->capture_default_str();
  cmd.add_option("--lambda,--reg", t.lambda, "regularization λ")->check(CLI::NonNegativeNumber)->capture_default_str();
  cmd.add_option("-e,--epochs", t.epochs, "passes over the ratings")->check(CLI::Range(1u, 1000000u))->capture_default_str();
  cmd.add_option("--lr-decay", t.lr_decay, "multiply the learning rate by this after every epoch")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  cmd.add_option("--lambda-bias", t.lambda_bias, "regularization of the biases (default: --lambda)")
      ->check(CLI::NonNegativeNumber);
  cmd.add_flag("--normalize", t.normalize, "min-max scale the observed ratings to [0,5] for training");
  cmd.add_flag("--no-bias", flags.no_bias, "the seed's plain model R ≈ U·Vᵀ (no mean, no biases)");
  cmd.add_option("--order", flags.order, "rating order inside an epoch: shuffled or sequential (the seed's row-major)")
      ->check(CLI::IsMember({"shuffled", "sequential"}))
      ->capture_default_str();
  cmd.add_option("--seed", t.seed, "random seed, recorded in the model")->capture_default_str();
  cmd.add_option("--threads", t.threads, "threads (default: all cores); never changes the model")
      ->check(CLI::Range(0u, 4096u));
}

}  // namespace mfrec::cli
