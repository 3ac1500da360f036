// The model file: exact round trips, atomic saves, and a clear Error(Format)
// for anything that is not a whole, intact model of a version we read.
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <limits>
#include <string>
#include <vector>

#include "mfrec/error.hpp"
#include "model_file_format.hpp"
#include "mfrec/model/model.hpp"
#include "mfrec/io/model_io.hpp"
#include "util/synthetic.hpp"
#include "mfrec/train/trainer.hpp"

namespace mfrec {
namespace {

using testing::format_checksum;
using testing::kHeaderSize;
using testing::with_valid_header;
using testing::write_at;

namespace fs = std::filesystem;


// A fresh directory, removed with everything in it at the end of the test.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "mfrec-model-io-XXXXXX").string();
    if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    fs::permissions(path_, fs::perms::owner_all, fs::perm_options::add, ec);
    fs::remove_all(path_, ec);
  }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  const fs::path& path() const { return path_; }
  std::vector<std::string> entries() const {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(path_)) names.push_back(e.path().filename().string());
    return names;
  }

 private:
  fs::path path_;
};

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  ASSERT_TRUE(out.good()) << path;
}

template <class T>
T read_at(const std::string& bytes, std::size_t offset) {
  T v;
  std::memcpy(&v, bytes.data() + offset, sizeof v);
  return v;
}


// Runs `f` and returns the kind and message of the mfrec::Error it throws.
struct Thrown {
  ErrorKind kind = ErrorKind::Internal;
  std::string what;
  bool thrown = false;
};
Thrown thrown_by(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return {e.kind(), e.what(), true};
  }
  return {};
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// Every field set, none at its default, names in UTF-8 and with the
// delimiters and quotes a CSV would need to escape. Floats include −0 and a
// subnormal, which only a bit-exact format keeps.
Model tiny_model() {
  Model m;
  m.options.factors = 3;
  m.options.lr = 0.0125;
  m.options.lambda = 0.3;
  m.options.epochs = 7;
  m.options.bias = true;
  m.options.normalize = true;
  m.options.order = Order::Sequential;
  m.options.seed = 0xDEADBEEFCAFEull;
  m.options.validation_fraction = 0.25;
  m.options.early_stop = 2;
  m.summary.epochs_run = 7;
  m.summary.best_epoch = 5;
  m.summary.train_objective = 1.0 / 3.0;
  m.summary.train_rmse = 0.1;
  m.summary.validation_rmse = 0.7;
  m.summary.validation_mae = 0.55;
  m.summary.validation_count = 1;
  m.source = "données/ratings.csv";
  m.users.intern("Hermione");
  m.users.intern("Zoë");
  m.users.intern("東京の猫");
  m.items.intern("Hedwig\u2019s Theme");
  m.items.intern("Don't Stop \"Believin'\", live\ttake");
  m.ratings = 4;
  m.train_ratings = 3;
  m.rating_min = 1.0f;
  m.rating_max = 5.0f;
  m.scaler = Scaler::fit({1.0f, 5.0f});
  // Hermione rated both items, Zoë the second, the third user nothing.
  m.rated_offsets = {0, 2, 3, 3};
  m.rated_items = {0, 1, 1};
  m.item_counts = {1, 2};
  m.mean = 2.75f;
  m.user_bias = {0.125f, -0.0f, 1e-40f};
  m.item_bias = {-0.3f, 0.7f};
  m.user_factors = FactorMatrix(3, 3);
  m.item_factors = FactorMatrix(2, 3);
  float x = -1.0f;
  for (std::size_t r = 0; r < 3; ++r)
    for (std::size_t f = 0; f < 3; ++f) m.user_factors.row(r)[f] = (x += 0.37f);
  for (std::size_t r = 0; r < 2; ++r)
    for (std::size_t f = 0; f < 3; ++f) m.item_factors.row(r)[f] = (x *= -0.61f);
  m.item_factors.row(1)[2] = -0.0f;
  return m;
}

template <class T>
bool same_bits(const T& a, const T& b) {
  return std::memcmp(&a, &b, sizeof(T)) == 0;
}

template <class T>
bool same_bits(const std::vector<T>& a, const std::vector<T>& b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0);
}

void expect_same_names(const IdMap& a, const IdMap& b) {
  ASSERT_EQ(a.size(), b.size());
  for (std::uint32_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a.name(i), b.name(i));
    EXPECT_EQ(b.find(a.name(i)), i);  // the loaded map finds names, not just lists them
  }
}

void expect_same_model(const Model& a, const Model& b) {
  EXPECT_EQ(a.options.factors, b.options.factors);
  EXPECT_TRUE(same_bits(a.options.lr, b.options.lr));
  EXPECT_TRUE(same_bits(a.options.lambda, b.options.lambda));
  EXPECT_EQ(a.options.epochs, b.options.epochs);
  EXPECT_EQ(a.options.bias, b.options.bias);
  EXPECT_EQ(a.options.normalize, b.options.normalize);
  EXPECT_EQ(a.options.order, b.options.order);
  EXPECT_EQ(a.options.seed, b.options.seed);
  EXPECT_TRUE(same_bits(a.options.validation_fraction, b.options.validation_fraction));
  EXPECT_EQ(a.options.early_stop, b.options.early_stop);
  EXPECT_EQ(a.options.objective, b.options.objective);
  EXPECT_TRUE(same_bits(a.options.confidence, b.options.confidence));
  EXPECT_EQ(a.item_counts, b.item_counts);
  EXPECT_EQ(a.item_titles, b.item_titles);

  EXPECT_EQ(a.summary.epochs_run, b.summary.epochs_run);
  EXPECT_EQ(a.summary.best_epoch, b.summary.best_epoch);
  EXPECT_TRUE(same_bits(a.summary.train_objective, b.summary.train_objective));
  EXPECT_TRUE(same_bits(a.summary.train_rmse, b.summary.train_rmse));
  EXPECT_TRUE(same_bits(a.summary.validation_rmse, b.summary.validation_rmse));
  EXPECT_TRUE(same_bits(a.summary.validation_mae, b.summary.validation_mae));
  EXPECT_EQ(a.summary.validation_count, b.summary.validation_count);

  EXPECT_EQ(a.source, b.source);
  expect_same_names(a.users, b.users);
  expect_same_names(a.items, b.items);
  EXPECT_EQ(a.ratings, b.ratings);
  EXPECT_EQ(a.train_ratings, b.train_ratings);
  EXPECT_TRUE(same_bits(a.rating_min, b.rating_min));
  EXPECT_TRUE(same_bits(a.rating_max, b.rating_max));
  EXPECT_EQ(a.scaler.enabled, b.scaler.enabled);
  EXPECT_TRUE(same_bits(a.scaler.min, b.scaler.min));
  EXPECT_TRUE(same_bits(a.scaler.max, b.scaler.max));
  EXPECT_EQ(a.rated_offsets, b.rated_offsets);
  EXPECT_EQ(a.rated_items, b.rated_items);
  EXPECT_TRUE(same_bits(a.rating_levels, b.rating_levels));
  EXPECT_EQ(a.rated_codes, b.rated_codes);
  EXPECT_TRUE(same_bits(a.mean, b.mean));
  EXPECT_TRUE(same_bits(a.user_bias, b.user_bias));
  EXPECT_TRUE(same_bits(a.item_bias, b.item_bias));
  EXPECT_EQ(a.user_factors.k(), b.user_factors.k());
  EXPECT_TRUE(a.user_factors == b.user_factors);  // bytes, padding included
  EXPECT_TRUE(a.item_factors == b.item_factors);
}

Model trained_model() {
  const Dataset d = make_synthetic({.users = 40, .items = 30, .ratings = 500});
  TrainOptions o;
  o.factors = 5;
  o.epochs = 3;
  o.validation_fraction = 0.2;
  o.normalize = true;
  return train({&d}, o);
}

// ---------------------------------------------------------------------------
// Round trips.

TEST(ModelIo, SerializedBytesRoundTripEveryFieldBitForBit) {
  const Model m = tiny_model();
  const std::string bytes = serialize_model(m);
  const Model back = deserialize_model(bytes, "tiny");
  expect_same_model(m, back);
  EXPECT_EQ(serialize_model(back), bytes);
  // −0 and the subnormal survived as such.
  EXPECT_TRUE(std::signbit(back.user_bias[1]));
  EXPECT_EQ(back.user_bias[2], 1e-40f);
}

TEST(ModelIo, ImplicitOptionsAndItemCountsRoundTrip) {
  Model m = tiny_model();
  m.options.objective = Objective::Implicit;
  m.options.confidence = 3.25;
  m.item_counts.assign(m.items.size(), 0);
  for (std::uint32_t i = 0; i < m.items.size(); ++i) m.item_counts[i] = std::min<std::uint32_t>(i, m.users.size());
  const Model back = deserialize_model(serialize_model(m), "tiny");
  EXPECT_EQ(back.options.objective, Objective::Implicit);
  EXPECT_EQ(back.options.confidence, 3.25);
  EXPECT_EQ(back.item_counts, m.item_counts);
  EXPECT_TRUE(back.implicit());
  EXPECT_EQ(back.file_version, kModelFormatVersion);
}

TEST(ModelIo, TrainingCountsEachItemsTrainingRatingsOnly) {
  const Dataset d = make_synthetic({.users = 40, .items = 30, .ratings = 600});
  TrainOptions o;
  o.epochs = 1;
  o.validation_fraction = 0.25;
  const Model m = train({.ratings = &d}, o);
  ASSERT_EQ(m.item_counts.size(), m.items.size());
  std::uint64_t total = 0;
  std::vector<std::uint32_t> rated(m.items.size(), 0);
  for (std::uint32_t i : m.rated_items) ++rated[i];
  for (std::uint32_t i = 0; i < m.items.size(); ++i) {
    EXPECT_LE(m.item_counts[i], rated[i]);
    total += m.item_counts[i];
  }
  EXPECT_EQ(total, m.train_ratings);  // the held-out quarter is not counted
  EXPECT_LT(total, m.ratings);
}

// tests/data/music-v1.model was written by mfrec before format version 2
// (`mfrec train data/music.csv -e 50 --seed 7`). It still loads, as a rating
// model whose item counts are its rated items, and saves as version 2.
TEST(ModelIo, Version1FilesStillLoad) {
  const Model v1 = load_model(std::string(MFREC_TEST_DATA) + "/music-v1.model");
  EXPECT_EQ(v1.file_version, 1u);
  EXPECT_EQ(v1.options.objective, Objective::Rating);
  EXPECT_EQ(v1.options.seed, 7u);
  EXPECT_EQ(v1.options.epochs, 50u);
  EXPECT_EQ(v1.users.size(), 4u);
  EXPECT_EQ(v1.items.size(), 12u);
  std::vector<std::uint32_t> rated(v1.items.size(), 0);
  for (std::uint32_t i : v1.rated_items) ++rated[i];
  EXPECT_EQ(v1.item_counts, rated);
  const std::string v2_bytes = serialize_model(v1);
  EXPECT_EQ(read_at<std::uint32_t>(v2_bytes, 8), kModelFormatVersion);
  const Model v2 = deserialize_model(v2_bytes, "upgraded");
  expect_same_model(v1, v2);
  EXPECT_EQ(v2.predict(0, 0), v1.predict(0, 0));
}

// tests/data/music-v2.model was written by mfrec before format version 3
// (`mfrec train data/music.csv -e 50 --seed 7 --lambda 0.05`), when every
// model was trained by plain SGD with no stopping rule: it loads as such,
// and predicts what that mfrec predicted (`predict --pairs`, Hermione and
// Back in Black: 3.553643821565429).
TEST(ModelIo, Version2FilesLoadAsSgdModels) {
  const Model v2 = load_model(std::string(MFREC_TEST_DATA) + "/music-v2.model");
  EXPECT_EQ(v2.file_version, 2u);
  EXPECT_EQ(v2.options.optimizer, Optimizer::Sgd);
  EXPECT_EQ(v2.options.tol, 0.0);
  EXPECT_EQ(v2.options.lambda_row, 0.0);
  EXPECT_EQ(v2.options.lambda, 0.05);
  EXPECT_EQ(v2.options.epochs, 50u);
  EXPECT_EQ(v2.options.seed, 7u);
  EXPECT_EQ(v2.predict(*v2.users.find("Hermione"), *v2.items.find("Back in Black")), 3.553643821565429);
  const Model v3 = deserialize_model(serialize_model(v2), "upgraded");
  expect_same_model(v2, v3);
}

// tests/data/music-v3.model was written by mfrec before format version 4
// (`mfrec train data/music.csv -e 50 --seed 7`): it loads with no titles and
// predicts what that mfrec predicted (`predict --pairs`, Hermione and Back
// in Black: 2.8880154471381787).
TEST(ModelIo, Version3FilesLoadWithoutTitles) {
  const Model v3 = load_model(std::string(MFREC_TEST_DATA) + "/music-v3.model");
  EXPECT_EQ(v3.file_version, 3u);
  EXPECT_FALSE(v3.has_titles());
  EXPECT_EQ(v3.options.seed, 7u);
  EXPECT_EQ(v3.predict(*v3.users.find("Hermione"), *v3.items.find("Back in Black")), 2.8880154471381787);
  const Model v4 = deserialize_model(serialize_model(v3), "upgraded");
  expect_same_model(v3, v4);
  EXPECT_FALSE(load_model(std::string(MFREC_TEST_DATA) + "/music-v2.model").has_titles());
}

// Titles as train --item-names stores them: any bytes, repeats, and "" for
// an item the titles file did not name.
TEST(ModelIo, ItemTitlesRoundTrip) {
  Model m = tiny_model();
  m.item_titles = {"Toy Story, \"the\" film (1995)", ""};
  Model back = deserialize_model(serialize_model(m), "tiny");
  EXPECT_EQ(back.item_titles, m.item_titles);
  m.item_titles = {"Emma (1996)", "Emma (1996)"};
  back = deserialize_model(serialize_model(m), "tiny");
  EXPECT_EQ(back.item_titles, m.item_titles);
  EXPECT_TRUE(back.has_titles());
}

// The users' own ratings, a byte each naming one of the levels.
TEST(ModelIo, GivenRatingsRoundTrip) {
  Model m = tiny_model();
  ASSERT_FALSE(m.rated_items.empty());
  m.rating_levels = {0.5f, 3.0f, 5.0f};
  m.rated_codes.assign(m.rated_items.size(), 2);
  m.rated_codes.front() = 0;
  const Model back = deserialize_model(serialize_model(m), "tiny");
  expect_same_model(m, back);
  EXPECT_EQ(back.given_rating(0), 0.5);
  EXPECT_EQ(back.given_rating(m.rated_items.size() - 1), 5.0);
  m.rating_levels.clear();
  m.rated_codes.clear();
  EXPECT_EQ(deserialize_model(serialize_model(m), "tiny").given_rating(0), std::nullopt);
}

TEST(ModelIo, AGivenRatingNamingNoLevelIsAFormatError) {
  Model m = tiny_model();
  m.rating_levels = {1.0f, 2.0f};
  m.rated_codes.assign(m.rated_items.size(), 1);
  const std::string bytes = serialize_model(m);
  std::string payload = bytes.substr(kHeaderSize);
  payload.back() = 2;  // the last rated item's code
  const Thrown t = thrown_by([&] { deserialize_model(with_valid_header(bytes, payload), "m"); });
  EXPECT_EQ(t.kind, ErrorKind::Format);
  EXPECT_TRUE(contains(t.what, "a given rating names no level")) << t.what;
}

// The titles come before the given ratings (last): a count of 0 (none) or
// one per item. Any other count is a damaged file, never a model with
// titles for some items.
TEST(ModelIo, TitleCountOtherThanNoneOrOnePerItemIsAFormatError) {
  const std::string bytes = serialize_model(tiny_model());
  std::string payload = bytes.substr(kHeaderSize);
  ASSERT_EQ(payload.substr(payload.size() - 8), std::string(8, '\0'));  // no titles, no given ratings
  write_at<std::uint32_t>(payload, payload.size() - 8, 1);
  const Thrown t = thrown_by([&] { deserialize_model(with_valid_header(bytes, payload), "m"); });
  EXPECT_EQ(t.kind, ErrorKind::Format);
  EXPECT_TRUE(contains(t.what, "item titles do not match the items")) << t.what;
}

TEST(ModelIo, HeaderHasTheDocumentedLayout) {
  const std::string bytes = serialize_model(tiny_model());
  ASSERT_GT(bytes.size(), kHeaderSize);
  EXPECT_EQ(bytes.substr(0, 8), "MFRECMDL");
  EXPECT_EQ(read_at<std::uint32_t>(bytes, 8), kModelFormatVersion);
  EXPECT_EQ(read_at<std::uint32_t>(bytes, 12), 0x01020304u);  // written little-endian
  EXPECT_EQ(read_at<std::uint64_t>(bytes, 16), bytes.size() - kHeaderSize);
  EXPECT_EQ(read_at<std::uint64_t>(bytes, 24), format_checksum(bytes.data() + kHeaderSize, bytes.size() - kHeaderSize));
}

TEST(ModelIo, SaveAndLoadRoundTripATrainedModel) {
  TempDir dir;
  const Model m = trained_model();
  const std::string path = dir.file("trained.model");
  save_model(m, path);
  EXPECT_EQ(read_file(path), serialize_model(m));
  const Model back = load_model(path);
  expect_same_model(m, back);
  EXPECT_EQ(serialize_model(back), serialize_model(m));
  // The loaded model answers exactly as the trained one.
  for (std::uint32_t u = 0; u < m.users.size(); u += 7)
    for (std::uint32_t i = 0; i < m.items.size(); i += 5) EXPECT_EQ(back.predict(u, i), m.predict(u, i));
}

// The file is streamed in 1 MiB pieces with the checksum computed on the way
// and the header written last; a model of several pieces, whose arrays
// cross piece boundaries at odd offsets, must still come out byte for byte.
TEST(ModelIo, StreamedSaveOfAMultiMegabyteModelMatchesTheSerializedBytes) {
  const Dataset d = make_synthetic({.users = 9000, .items = 3001, .ratings = 60'000});
  TrainOptions o;
  o.factors = 37;
  o.epochs = 1;
  const Model m = train({&d}, o);
  TempDir dir;
  const std::string path = dir.file("big.model");
  save_model(m, path);
  const std::string bytes = read_file(path);
  ASSERT_GT(bytes.size(), 2u << 20);  // three pieces
  EXPECT_EQ(bytes, serialize_model(m));
  EXPECT_EQ(read_at<std::uint64_t>(bytes, 16), bytes.size() - kHeaderSize);
  EXPECT_EQ(read_at<std::uint64_t>(bytes, 24), format_checksum(bytes.data() + kHeaderSize, bytes.size() - kHeaderSize));
  expect_same_model(m, load_model(path));
}

// ---------------------------------------------------------------------------
// Atomic saves.

TEST(ModelIo, SaveReplacesAnExistingModelAndLeavesNoTemporaryFile) {
  TempDir dir;
  const std::string path = dir.file("m.model");
  save_model(tiny_model(), path);
  const Model other = trained_model();
  save_model(other, path);
  EXPECT_EQ(read_file(path), serialize_model(other));
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"m.model"});
}

TEST(ModelIo, SaveIntoAMissingDirectoryIsACreateError) {
  TempDir dir;
  const std::string path = dir.file("no/such/dir/m.model");
  const Thrown t = thrown_by([&] { save_model(tiny_model(), path); });
  ASSERT_TRUE(t.thrown);
  EXPECT_EQ(t.kind, ErrorKind::Create);
  EXPECT_TRUE(contains(t.what, path)) << t.what;
  EXPECT_TRUE(dir.entries().empty());
}

TEST(ModelIo, SaveOntoADirectoryIsACreateErrorAndLeavesItAlone) {
  TempDir dir;
  fs::create_directory(dir.path() / "m.model");
  write_file(dir.file("m.model/inside"), "keep");
  const Thrown t = thrown_by([&] { save_model(tiny_model(), dir.file("m.model")); });
  ASSERT_TRUE(t.thrown);
  EXPECT_EQ(t.kind, ErrorKind::Create);
  EXPECT_TRUE(fs::is_directory(dir.path() / "m.model"));
  EXPECT_EQ(read_file(dir.file("m.model/inside")), "keep");
}

// Limits the size of files this process may write, and ignores the signal
// the kernel would otherwise send when a write crosses it (so write() fails
// with EFBIG instead), for the lifetime of the object.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    ::getrlimit(RLIMIT_FSIZE, &old_);
    old_handler_ = ::signal(SIGXFSZ, SIG_IGN);
    rlimit limit = old_;
    limit.rlim_cur = bytes;
    ok_ = ::setrlimit(RLIMIT_FSIZE, &limit) == 0;
  }
  ~FileSizeLimit() {
    ::setrlimit(RLIMIT_FSIZE, &old_);
    ::signal(SIGXFSZ, old_handler_);
  }
  bool ok() const { return ok_; }

 private:
  rlimit old_{};
  void (*old_handler_)(int) = nullptr;
  bool ok_ = false;
};

TEST(ModelIo, SaveThatFailsMidwayLeavesTheExistingModelUntouched) {
  TempDir dir;
  const std::string path = dir.file("m.model");
  const Model original = tiny_model();
  save_model(original, path);
  const std::string before = read_file(path);

  // A model far bigger than what the limit lets us write: the write fails
  // like it would on a full disk.
  const Model bigger = trained_model();
  ASSERT_GT(serialize_model(bigger).size(), 4096u);
  Thrown t;
  {
    FileSizeLimit limit(1024);
    ASSERT_TRUE(limit.ok());
    t = thrown_by([&] { save_model(bigger, path); });
  }
  ASSERT_TRUE(t.thrown) << "the save succeeded despite the file size limit";
  EXPECT_EQ(t.kind, ErrorKind::Io) << t.what;
  EXPECT_EQ(read_file(path), before);
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"m.model"});  // the temporary file is gone
  expect_same_model(load_model(path), original);
}

TEST(ModelIo, SaveIntoAnUnwritableDirectoryLeavesTheExistingModelUntouched) {
  TempDir dir;
  const std::string path = dir.file("m.model");
  save_model(tiny_model(), path);
  const std::string before = read_file(path);
  fs::permissions(dir.path(), fs::perms::owner_read | fs::perms::owner_exec, fs::perm_options::replace);
  if (::access(dir.path().c_str(), W_OK) == 0) GTEST_SKIP() << "running with permission to write anywhere (root)";

  const Thrown t = thrown_by([&] { save_model(trained_model(), path); });
  ASSERT_TRUE(t.thrown);
  EXPECT_EQ(t.kind, ErrorKind::Create);
  EXPECT_EQ(read_file(path), before);
}

// ---------------------------------------------------------------------------
// Loading what is not an intact model.

TEST(ModelIo, TruncatedAnywhereIsAFormatError) {
  const std::string bytes = serialize_model(tiny_model());
  // Every prefix: inside the magic (0..7), just after it (8), inside the
  // version, byte order, size and checksum fields (9..31), the bare header
  // (32), and every cut through the payload's sections up to the last byte
  // missing (size − 1).
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    const Thrown t = thrown_by([&] { (void)deserialize_model(bytes.substr(0, n), "cut.model"); });
    ASSERT_TRUE(t.thrown) << "a model cut to " << n << " of " << bytes.size() << " bytes loaded";
    EXPECT_EQ(t.kind, ErrorKind::Format) << "cut to " << n << ": " << t.what;
    EXPECT_TRUE(contains(t.what, "cut.model")) << t.what;
  }
  // And through the file path, at the section boundaries named above.
  TempDir dir;
  const std::string path = dir.file("cut.model");
  for (std::size_t n : {std::size_t{0}, std::size_t{4}, std::size_t{8}, std::size_t{12}, std::size_t{16},
                        std::size_t{24}, kHeaderSize - 1, kHeaderSize, kHeaderSize + 1, bytes.size() / 2,
                        bytes.size() - 1}) {
    write_file(path, bytes.substr(0, n));
    const Thrown t = thrown_by([&] { (void)load_model(path); });
    EXPECT_EQ(t.kind, ErrorKind::Format) << "cut to " << n << ": " << t.what;
  }
}

TEST(ModelIo, TruncatedPayloadWithAConsistentHeaderIsStillAFormatError) {
  // A header rewritten to match the shorter payload gets past the size and
  // checksum checks; then every section's own bounds check must catch the cut.
  const std::string bytes = serialize_model(tiny_model());
  const std::string payload = bytes.substr(kHeaderSize);
  for (std::size_t n = 0; n < payload.size(); ++n) {
    const Thrown t = thrown_by([&] { (void)deserialize_model(with_valid_header(bytes, payload.substr(0, n)), "m"); });
    ASSERT_TRUE(t.thrown) << "payload cut to " << n << " of " << payload.size() << " loaded";
    EXPECT_EQ(t.kind, ErrorKind::Format) << t.what;
    EXPECT_TRUE(contains(t.what, "truncated")) << "cut to " << n << ": " << t.what;
  }
}

TEST(ModelIo, TrailingBytesAreAFormatError) {
  const std::string bytes = serialize_model(tiny_model());
  EXPECT_EQ(thrown_by([&] { (void)deserialize_model(bytes + '\0', "m"); }).kind, ErrorKind::Format);
  const std::string payload = bytes.substr(kHeaderSize) + std::string(8, '\0');
  const Thrown t = thrown_by([&] { (void)deserialize_model(with_valid_header(bytes, payload), "m"); });
  EXPECT_EQ(t.kind, ErrorKind::Format);
  EXPECT_TRUE(contains(t.what, "trailing")) << t.what;
}

TEST(ModelIo, AnyFlippedBitIsAFormatError) {
  const std::string bytes = serialize_model(tiny_model());
  for (std::size_t offset = 0; offset < bytes.size(); ++offset) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string damaged = bytes;
      damaged[offset] = static_cast<char>(damaged[offset] ^ (1 << bit));
      const Thrown t = thrown_by([&] { (void)deserialize_model(damaged, "m"); });
      ASSERT_TRUE(t.thrown) << "bit " << bit << " of byte " << offset << " flipped and the model loaded";
      ASSERT_EQ(t.kind, ErrorKind::Format) << "byte " << offset << " bit " << bit << ": " << t.what;
    }
  }
}

TEST(ModelIo, DamageBehindAValidChecksumIsRejectedOrHarmless) {
  // A checksum only detects accidents. With it recomputed, a flipped bit is
  // either caught by the structural checks (Format) or gives a model that is
  // still self-consistent; never another error, a crash or a huge allocation.
  const std::string bytes = serialize_model(tiny_model());
  const std::string payload = bytes.substr(kHeaderSize);
  int rejected = 0;
  for (std::size_t offset = 0; offset < payload.size(); ++offset) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string damaged = payload;
      damaged[offset] = static_cast<char>(damaged[offset] ^ (1 << bit));
      try {
        const Model m = deserialize_model(with_valid_header(bytes, damaged), "m");
        ASSERT_EQ(m.user_bias.size(), m.users.size());
        ASSERT_EQ(m.item_bias.size(), m.items.size());
        ASSERT_EQ(m.user_factors.rows(), m.users.size());
        ASSERT_EQ(m.item_factors.rows(), m.items.size());
        ASSERT_EQ(m.rated_offsets.size(), std::size_t{m.users.size()} + 1);
        ASSERT_EQ(m.rated_offsets.back(), m.rated_items.size());
        for (std::uint32_t item : m.rated_items) ASSERT_LT(item, m.items.size());
      } catch (const Error& e) {
        ASSERT_EQ(e.kind(), ErrorKind::Format) << "byte " << offset << " bit " << bit << ": " << e.what();
        ++rejected;
      }
    }
  }
  EXPECT_GT(rejected, 0);
}

TEST(ModelIo, ImpossibleSizesAreRejectedBeforeAllocating) {
  const Model m = tiny_model();
  const std::string bytes = serialize_model(m);
  const std::string payload = bytes.substr(kHeaderSize);
  // The user count is the u32 just before the first name's u32 length.
  const std::size_t first_name = payload.find("Hermione");
  ASSERT_NE(first_name, std::string::npos);
  const std::size_t user_count = first_name - 4 - 4;
  ASSERT_EQ(read_at<std::uint32_t>(payload, user_count), 3u);
  for (std::uint32_t huge : {0xFFFFFFFFu, 0x10000000u, 1000u}) {
    std::string damaged = payload;
    write_at(damaged, user_count, huge);
    const Thrown t = thrown_by([&] { (void)deserialize_model(with_valid_header(bytes, damaged), "m"); });
    EXPECT_EQ(t.kind, ErrorKind::Format) << huge << ": " << t.what;
  }
  // The name's own length, claiming 4 GiB.
  auto load = [&](const std::string& p) { (void)deserialize_model(with_valid_header(bytes, p), "m"); };
  std::string damaged = payload;
  write_at<std::uint32_t>(damaged, first_name - 4, 0xFFFFFFF0u);
  EXPECT_EQ(thrown_by([&] { load(damaged); }).kind, ErrorKind::Format);
  // The factor count is the payload's first field.
  damaged = payload;
  write_at<std::uint32_t>(damaged, 0, 0x7FFFFFFFu);
  EXPECT_EQ(thrown_by([&] { load(damaged); }).kind, ErrorKind::Format);
}

TEST(ModelIo, NewerFormatVersionAsksForAnUpgrade) {
  std::string bytes = serialize_model(tiny_model());
  // The checksum covers only the payload, so patching the version is enough.
  write_at<std::uint32_t>(bytes, 8, kModelFormatVersion + 1);
  TempDir dir;
  const std::string path = dir.file("future.model");
  write_file(path, bytes);
  const Thrown t = thrown_by([&] { (void)load_model(path); });
  EXPECT_EQ(t.kind, ErrorKind::Format);
  EXPECT_TRUE(contains(t.what, "newer")) << t.what;
  EXPECT_TRUE(contains(t.what, "upgrade")) << t.what;
  EXPECT_TRUE(contains(t.what, path)) << t.what;
  EXPECT_TRUE(contains(t.what, std::to_string(kModelFormatVersion + 1))) << t.what;
}

TEST(ModelIo, OtherByteOrderIsNamed) {
  std::string bytes = serialize_model(tiny_model());
  write_at<std::uint32_t>(bytes, 12, 0x04030201u);
  const Thrown t = thrown_by([&] { (void)deserialize_model(bytes, "m"); });
  EXPECT_EQ(t.kind, ErrorKind::Format);
  EXPECT_TRUE(contains(t.what, "byte order")) << t.what;
}

TEST(ModelIo, TextFileIsAFormatError) {
  TempDir dir;
  const std::string path = dir.file("music.csv");
  write_file(path, "User,Back in Black,Survivor\nDarth Vader,4,0\nRipley,5,5\n");
  const Thrown t = thrown_by([&] { (void)load_model(path); });
  EXPECT_EQ(t.kind, ErrorKind::Format);
  EXPECT_TRUE(contains(t.what, path)) << t.what;
  EXPECT_TRUE(contains(t.what, "not an mfrec model")) << t.what;
}

TEST(ModelIo, EmptyFileIsAFormatError) {
  TempDir dir;
  const std::string path = dir.file("empty.model");
  write_file(path, "");
  EXPECT_EQ(thrown_by([&] { (void)load_model(path); }).kind, ErrorKind::Format);
}

TEST(ModelIo, MissingFileOrDirectoryIsAnOpenError) {
  TempDir dir;
  const std::string missing = dir.file("missing.model");
  const Thrown t = thrown_by([&] { (void)load_model(missing); });
  EXPECT_EQ(t.kind, ErrorKind::Open);
  EXPECT_TRUE(contains(t.what, missing)) << t.what;
  EXPECT_EQ(thrown_by([&] { (void)load_model(dir.path().string()); }).kind, ErrorKind::Open);
}

}  // namespace
}  // namespace mfrec
