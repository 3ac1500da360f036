// The query commands (predict, similarity, recommend) run as a user would run
// them: the built binary in a child process, its output parsed back (CSV/TSV
// with the project's own RFC 4180 reader, JSON with nlohmann-json) and checked
// against the core API on the same model file. Each test trains the models it
// needs into its own temporary directory; training the seed's 4x12 example
// takes milliseconds, so sharing models between tests would save nothing.
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "naive_cosine.hpp"
#include "mfrec/io/csv_reader.hpp"
#include "mfrec/model/model.hpp"
#include "mfrec/io/model_io.hpp"
#include "mfrec/query/recommend.hpp"
#include "mfrec/query/similarity.hpp"

extern char** environ;

namespace {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;  // ordered: JSON keys must come in header order
using Rows = std::vector<std::vector<std::string>>;
using Matrix = std::vector<std::vector<double>>;

// clang-format off
// data/music.csv, the seed's example, in file order.
const std::vector<std::string> kMusicUsers = {"Darth Vader", "Hermione", "Ripley", "Spock"};
const std::vector<std::string> kMusicItems = {
    "Another One Bites the Dust", "Back in Black",  "Bohemian Rhapsody", "Brandenburg Concerto No. 3",
    "Clair de Lune",              "Comfortably Numb", "Don't Stop Believin'", "Firework",
    "Hedwig\xE2\x80\x99s Theme",  "O Fortuna",      "Survivor",          "The Imperial March"};

// A long-layout file whose names need CSV quoting and JSON escaping.
const std::string kTinyUserWithComma = "Smith, Jo";
const std::string kTinyItemWithQuote = "Hello, \"World\"";
const std::string kTinyItemAccents = "Bj\xC3\xB6rk \xE2\x80\x93 J\xC3\xB3ga";  // Björk – Jóga
const std::string kTinyItemWide = "\xE6\x9D\xB1\xE4\xBA\xAC \xF0\x9F\x8E\xB5";  // 東京 🎵
const std::string kTinyRatings =
    "user,item,rating\n"
    "\"Smith, Jo\",\"Hello, \"\"World\"\"\",5\n"
    "\"Smith, Jo\"," + kTinyItemAccents + ",3\n"
    "\"Smith, Jo\"," + kTinyItemWide + ",1\n"
    "Ana,\"Hello, \"\"World\"\"\",2\n"
    "Ana," + kTinyItemWide + ",4\n"
    "Ana,Plain,5\n"
    "Bo,Plain,1\n"
    "Bo," + kTinyItemAccents + ",4\n";
// clang-format on

struct Result {
  int code = -1;
  std::string out;
  std::string err;
};

struct RunOptions {
  std::optional<std::string> input;  // stdin text; /dev/null when absent
  std::string stdout_to;             // a path to send stdout to instead of capturing it
  std::vector<std::string> env;      // extra NAME=VALUE entries
};

RunOptions stdin_text(std::string text) {
  RunOptions o;
  o.input = std::move(text);
  return o;
}

RunOptions stdout_file(std::string path) {
  RunOptions o;
  o.stdout_to = std::move(path);
  return o;
}

RunOptions environment(std::string entry) {
  RunOptions o;
  o.env.push_back(std::move(entry));
  return o;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_file(const fs::path& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// Our environment minus MFREC_MODEL, so a developer's own setting cannot
// change which model a test reads, plus `extra`.
std::vector<std::string> child_environment(const std::vector<std::string>& extra) {
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e)
    if (std::strncmp(*e, "MFREC_MODEL=", 12) != 0) env.emplace_back(*e);
  env.insert(env.end(), extra.begin(), extra.end());
  return env;
}

// In the child between fork and exec: only async-signal-safe calls.
void redirect_or_die(int target, const char* path, int flags) {
  const int fd = ::open(path, flags, 0644);
  if (fd < 0 || ::dup2(fd, target) < 0) ::_exit(127);
  ::close(fd);
}

int wait_for(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) throw std::runtime_error("waitpid failed");
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// Runs argv in `cwd` with stdin, stdout and stderr on files. Files rather than
// pipes, so a child that writes a lot never blocks on a pipe nobody reads.
int spawn(std::vector<std::string> argv, const std::string& cwd, const std::string& in, const std::string& out,
          const std::string& err, std::vector<std::string> env) {
  std::vector<char*> args = c_strings(argv);
  std::vector<char*> envp = c_strings(env);
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    if (::chdir(cwd.c_str()) != 0) ::_exit(127);
    redirect_or_die(STDIN_FILENO, in.c_str(), O_RDONLY);
    redirect_or_die(STDOUT_FILENO, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC);
    redirect_or_die(STDERR_FILENO, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC);
    ::execve(args[0], args.data(), envp.data());
    ::_exit(127);
  }
  return wait_for(pid);
}

// Runs mfrec with stdout on a pseudo-terminal `columns` wide, as a person at a
// terminal would see it; returns what it printed, "\r\n" turned back to "\n".
std::string run_on_terminal(std::vector<std::string> args, const std::string& cwd, unsigned short columns) {
  const int master = ::posix_openpt(O_RDWR | O_NOCTTY);
  if (master < 0 || ::grantpt(master) != 0 || ::unlockpt(master) != 0) throw std::runtime_error("no pty");
  winsize size{};
  size.ws_row = 50;
  size.ws_col = columns;
  ::ioctl(master, TIOCSWINSZ, &size);
  // Opened before fork, so the terminal is never without a reader or writer
  // until the child exits.
  const int slave = ::open(::ptsname(master), O_RDWR | O_NOCTTY);
  if (slave < 0) throw std::runtime_error("cannot open pty slave");
  args.insert(args.begin(), MFREC_BINARY);
  std::vector<char*> argv = c_strings(args);
  std::vector<std::string> env = child_environment({});
  std::vector<char*> envp = c_strings(env);
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    ::close(master);
    if (::chdir(cwd.c_str()) != 0 || ::dup2(slave, STDOUT_FILENO) < 0) ::_exit(127);
    redirect_or_die(STDIN_FILENO, "/dev/null", O_RDONLY);
    redirect_or_die(STDERR_FILENO, "/dev/null", O_WRONLY);
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  ::close(slave);
  std::string text;
  char buffer[4096];
  for (ssize_t n; (n = ::read(master, buffer, sizeof buffer)) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;  // EIO: the child closed the terminal
    text.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(master);
  const int code = wait_for(pid);
  if (code != 0) throw std::runtime_error("mfrec on a terminal exited " + std::to_string(code));
  std::erase(text, '\r');
  return text;
}

// ---- parsing what mfrec printed --------------------------------------------

Rows parse_delimited(const std::string& text, char delimiter) {
  auto reader = mfrec::CsvRowReader::from_string("mfrec output", text, delimiter);
  Rows rows;
  while (reader.next()) {
    std::vector<std::string> row;
    for (std::string_view f : reader.fields()) row.emplace_back(f);
    rows.push_back(std::move(row));
  }
  return rows;
}

Rows parse_csv(const std::string& text) { return parse_delimited(text, ','); }

double number(std::string_view text) {
  double value = std::nan("");
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size()) ADD_FAILURE() << "not a number: '" << text << "'";
  return value;
}

// The shortest text that reads back as `value` (what CLI.md promises).
std::string shortest(double value) {
  char buffer[64];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, end);
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  for (std::size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1)
    lines.push_back(text.substr(start, nl - start));
  if (start < text.size()) lines.push_back(text.substr(start));
  return lines;
}

// Table cells are separated by two or more spaces; the names used with tables
// here have single spaces only.
std::vector<std::string> table_cells(std::string_view line) {
  std::vector<std::string> cells;
  std::size_t i = line.find_first_not_of(' ');
  while (i != std::string_view::npos) {
    std::size_t end = line.find("  ", i);
    if (end == std::string_view::npos) end = line.size();
    std::size_t last = end;
    while (last > i && line[last - 1] == ' ') --last;
    cells.emplace_back(line.substr(i, last - i));
    i = line.find_first_not_of(' ', end);
  }
  return cells;
}

// Characters, not bytes: every name in music.csv is one column wide per code point.
std::size_t code_points(std::string_view s) {
  return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

// Any format's output as JSON objects keyed by the header, so that formats can
// be compared; CSV/TSV cells are numbers except in `text_columns`.
std::vector<json> records(const std::string& text, std::string_view format, const std::set<std::string>& text_columns) {
  std::vector<json> out;
  if (format == "json") {
    const json all = json::parse(text);
    EXPECT_TRUE(all.is_array());
    for (const auto& o : all) out.push_back(o);
  } else if (format == "jsonl") {
    for (const auto& line : split_lines(text)) out.push_back(json::parse(line));
  } else {
    const Rows rows = parse_delimited(text, format == "tsv" ? '\t' : ',');
    if (rows.empty()) return out;
    for (std::size_t r = 1; r < rows.size(); ++r) {
      EXPECT_EQ(rows[r].size(), rows[0].size()) << "row " << r;
      json o = json::object();
      for (std::size_t c = 0; c < rows[r].size() && c < rows[0].size(); ++c)
        o[rows[0][c]] = text_columns.count(rows[0][c]) ? json(rows[r][c]) : json(number(rows[r][c]));
      out.push_back(std::move(o));
    }
  }
  return out;
}

// ---- expectations ----------------------------------------------------------

void expect_relative(double got, double want, double tolerance, const std::string& what) {
  EXPECT_NEAR(got, want, tolerance * std::max(std::abs(want), 1e-300)) << what;
}

// CLI.md: every failure is one line "mfrec: error: ..." on stderr.
void expect_failure(const Result& r, int code, std::string_view mentions = {}) {
  EXPECT_EQ(r.code, code) << "stderr: " << r.err;
  EXPECT_TRUE(r.err.starts_with("mfrec: error: ")) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_TRUE(r.err.ends_with('\n')) << r.err;
  if (!mentions.empty()) {
    EXPECT_NE(r.err.find(mentions), std::string::npos) << "stderr lacks '" << mentions << "': " << r.err;
  }
}

using mfrec::test_support::naive_cosine;

Matrix transpose(const Matrix& m) {
  Matrix t(m.empty() ? 0 : m[0].size(), std::vector<double>(m.size()));
  for (std::size_t r = 0; r < m.size(); ++r)
    for (std::size_t c = 0; c < m[r].size(); ++c) t[c][r] = m[r][c];
  return t;
}

Matrix predicted_matrix(const mfrec::Model& m) {
  Matrix x(m.users.size(), std::vector<double>(m.items.size()));
  for (std::uint32_t u = 0; u < m.users.size(); ++u)
    for (std::uint32_t i = 0; i < m.items.size(); ++i) x[u][i] = m.predict(u, i);
  return x;
}

Matrix factor_rows(const mfrec::FactorMatrix& f) {
  Matrix rows(f.rows(), std::vector<double>(f.k()));
  for (std::size_t r = 0; r < f.rows(); ++r)
    for (std::size_t c = 0; c < f.k(); ++c) rows[r][c] = f.row(r)[c];
  return rows;
}

// The neighbour score the slow obvious way: the K users whose predicted rows
// are closest by plain cosine (ties to the earlier user), their predicted
// ratings averaged with weights max(similarity, 0).
std::vector<double> neighbor_scores(const mfrec::Model& m, std::uint32_t user, std::size_t k) {
  const Matrix x = predicted_matrix(m);
  std::vector<std::pair<double, std::uint32_t>> near;
  for (std::uint32_t v = 0; v < m.users.size(); ++v)
    if (v != user) near.emplace_back(-naive_cosine(x[user], x[v]), v);
  std::sort(near.begin(), near.end());
  near.resize(std::min(k, near.size()));
  std::vector<double> score(m.items.size(), 0.0);
  double weights = 0.0;
  for (const auto& [negative_sim, v] : near) {
    weights += std::max(-negative_sim, 0.0);
    for (std::uint32_t i = 0; i < m.items.size(); ++i) score[i] += std::max(-negative_sim, 0.0) * x[v][i];
  }
  for (double& s : score) s /= weights;
  return score;
}

// Which (user, item) cells of music.csv hold a rating; 0 or empty means none.
std::set<std::pair<std::string, std::string>> music_rated() {
  auto reader = mfrec::CsvRowReader::open_file(std::string(MFREC_SOURCE_DIR) + "/data/music.csv", ',');
  std::set<std::pair<std::string, std::string>> rated;
  std::vector<std::string> header;
  while (reader.next()) {
    const auto& f = reader.fields();
    if (header.empty()) {
      header.assign(f.begin(), f.end());
      continue;
    }
    for (std::size_t c = 1; c < f.size(); ++c)
      if (!f[c].empty() && f[c] != "0") rated.emplace(std::string(f[0]), header[c]);
  }
  return rated;
}

// ---- the fixture -----------------------------------------------------------

class Cli : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "mfrec-cli-XXXXXX").string();
    if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    dir_ = pattern;
    fs::create_directory(dir_ / "io");
    fs::create_directory(dir_ / "results");
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  // -o targets go here, so a check for leftover temporary files sees nothing else.
  std::string result_path(const std::string& name) const { return (dir_ / "results" / name).string(); }

  Result run(std::vector<std::string> argv, const RunOptions& o = {}) {
    const std::string base = (dir_ / "io" / std::to_string(++runs_)).string();
    std::string in = "/dev/null";
    if (o.input) write_file(in = base + ".in", *o.input);
    const std::string out = o.stdout_to.empty() ? base + ".out" : o.stdout_to;
    Result r;
    r.code = spawn(std::move(argv), dir_.string(), in, out, base + ".err", child_environment(o.env));
    if (o.stdout_to.empty()) r.out = read_file(out);
    r.err = read_file(base + ".err");
    return r;
  }

  Result mfrec(std::vector<std::string> args, const RunOptions& o = {}) {
    args.insert(args.begin(), MFREC_BINARY);
    return run(std::move(args), o);
  }

  // Runs mfrec and expects success with nothing on stderr but the notes
  // explaining an answer shorter than --top (tests/cli/test_short_answers.sh
  // checks those; music.csv's users have fewer than 10 unrated items).
  std::string output_of(const std::vector<std::string>& args, const RunOptions& o = {}) {
    const Result r = mfrec(args, o);
    EXPECT_EQ(r.code, 0) << "mfrec " << testing::PrintToString(args) << ": " << r.err;
    std::string unexpected;
    for (const auto& line : split_lines(r.err))
      if (line.find("fewer than --top") == std::string::npos && line.find("has rated every item (") == std::string::npos)
        unexpected += line + "\n";
    EXPECT_EQ(unexpected, "") << "mfrec " << testing::PrintToString(args);
    return r.out;
  }

  std::string train(const std::string& name, std::vector<std::string> args) {
    const std::string model = path(name + ".model");
    args.insert(args.begin(), "train");
    args.insert(args.end(), {"-m", model, "-q"});
    const Result r = mfrec(args);
    if (r.code != 0)
      throw std::runtime_error("mfrec train " + name + " exited " + std::to_string(r.code) + ": " + r.err);
    return model;
  }

  static std::string music() { return std::string(MFREC_SOURCE_DIR) + "/data/music.csv"; }

  // The seed article's settings: plain U·Vᵀ, k 5, α 0.01, λ 0.02, 1000 epochs.
  std::string seed_model() {
    return train("seed", {music(), "-k", "5", "--lr", "0.01", "--lambda", "0.02", "-e", "1000", "--no-bias"});
  }
  // With mean and biases, so an unknown user or item has something to fall back on.
  std::string bias_model() { return train("bias", {music(), "-k", "4", "-e", "100"}); }
  std::string tiny_model() {
    write_file(path("tiny.csv"), kTinyRatings);
    return train("tiny", {path("tiny.csv"), "-k", "2", "-e", "50"});
  }

  fs::path dir_;
  int runs_ = 0;
};

// ---- predict ---------------------------------------------------------------

TEST_F(Cli, PredictWholeMatrixIsClippedPredictionsInModelOrder) {
  const std::string model_path = seed_model();
  const mfrec::Model m = mfrec::load_model(model_path);
  const Rows rows = parse_csv(output_of({"predict", "-m", model_path}));

  std::vector<std::string> header{"user"};
  header.insert(header.end(), kMusicItems.begin(), kMusicItems.end());
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows[0], header);
  for (std::uint32_t u = 0; u < 4; ++u) {
    ASSERT_EQ(rows[u + 1].size(), 13u);
    EXPECT_EQ(rows[u + 1][0], kMusicUsers[u]);
    for (std::uint32_t i = 0; i < 12; ++i) {
      const std::string& text = rows[u + 1][i + 1];
      const double want = m.clip(m.predict(u, i));
      expect_relative(number(text), want, 1e-12, kMusicUsers[u] + " / " + kMusicItems[i]);
      // Shortest round trip: full precision, no padding digits.
      EXPECT_EQ(text, shortest(number(text)));
    }
  }
}

TEST_F(Cli, PredictUserRowsOnlyInTheOrderAsked) {
  const std::string model_path = seed_model();
  const mfrec::Model m = mfrec::load_model(model_path);
  const Rows rows = parse_csv(output_of({"predict", "-m", model_path, "--user", "Spock", "-u", "Darth Vader"}));
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].size(), 13u);
  const std::vector<std::uint32_t> asked{3, 0};
  for (std::size_t r = 0; r < asked.size(); ++r) {
    EXPECT_EQ(rows[r + 1][0], kMusicUsers[asked[r]]);
    for (std::uint32_t i = 0; i < 12; ++i)
      expect_relative(number(rows[r + 1][i + 1]), m.clip(m.predict(asked[r], i)), 1e-12, rows[r + 1][0]);
  }
}

TEST_F(Cli, PredictLongIsUserItemPredictionTriples) {
  const std::string model_path = seed_model();
  const mfrec::Model m = mfrec::load_model(model_path);
  const Rows all = parse_csv(output_of({"predict", "-m", model_path, "--long"}));
  ASSERT_EQ(all.size(), 1u + 4 * 12);
  EXPECT_EQ(all[0], (std::vector<std::string>{"user", "item", "prediction"}));
  for (std::uint32_t u = 0; u < 4; ++u)
    for (std::uint32_t i = 0; i < 12; ++i) {
      const auto& row = all[1 + u * 12 + i];
      ASSERT_EQ(row.size(), 3u);
      EXPECT_EQ(row[0], kMusicUsers[u]);
      EXPECT_EQ(row[1], kMusicItems[i]);
      expect_relative(number(row[2]), m.clip(m.predict(u, i)), 1e-12, row[0] + " / " + row[1]);
    }

  const Rows one = parse_csv(output_of({"predict", "-m", model_path, "--long", "--user", "Hermione"}));
  ASSERT_EQ(one.size(), 13u);
  for (std::size_t r = 1; r < one.size(); ++r) EXPECT_EQ(one[r], all[12 + r]);
}

TEST_F(Cli, PredictNoClipGivesRawPredictionsAndClippingStaysInRange) {
  const std::string model_path = seed_model();
  const mfrec::Model m = mfrec::load_model(model_path);
  ASSERT_EQ(m.rating_min, 1.0f);
  ASSERT_EQ(m.rating_max, 5.0f);
  const Rows clipped = parse_csv(output_of({"predict", "-m", model_path}));
  const Rows raw = parse_csv(output_of({"predict", "-m", model_path, "--no-clip"}));
  ASSERT_EQ(raw.size(), 5u);
  ASSERT_EQ(clipped.size(), 5u);
  int outside = 0;  // the test means something only if clipping changed a value
  for (std::uint32_t u = 0; u < 4; ++u)
    for (std::uint32_t i = 0; i < 12; ++i) {
      const double r = number(raw[u + 1][i + 1]), c = number(clipped[u + 1][i + 1]);
      expect_relative(r, m.predict(u, i), 1e-12, "--no-clip " + kMusicUsers[u] + " / " + kMusicItems[i]);
      EXPECT_GE(c, 1.0);
      EXPECT_LE(c, 5.0);
      EXPECT_EQ(c, std::clamp(r, 1.0, 5.0));
      outside += r < 1.0 || r > 5.0;
    }
  EXPECT_GT(outside, 0) << "the seed model predicts nothing outside [1, 5]";
}

TEST_F(Cli, PredictPairsFallsBackToMeanPlusKnownBias) {
  // One plain model, one trained on the [0,5] scale: fallbacks are reported back on the input's scale.
  const std::vector<std::string> models{bias_model(),
                                        train("normalized", {music(), "-k", "4", "-e", "100", "--normalize"})};
  write_file(path("pairs.csv"),
             "user,item\nHermione,Back in Black\nNobody,Firework\nSpock,No Such Song\nNobody,No Such Song\n");
  for (const std::string& model_path : models) {
    SCOPED_TRACE(model_path);
    const mfrec::Model m = mfrec::load_model(model_path);
    const auto fallback = [&](std::optional<std::uint32_t> u, std::optional<std::uint32_t> i) {
      double s = m.mean;
      if (u) s += m.user_bias[*u];
      if (i) s += m.item_bias[*i];
      return m.scaler.inverse(s);
    };
    const std::vector<double> want{m.predict(1, 1), fallback(std::nullopt, 7), fallback(3, std::nullopt),
                                   fallback(std::nullopt, std::nullopt)};
    const std::vector<std::string> users{"Hermione", "Nobody", "Spock", "Nobody"};
    const std::vector<std::string> items{"Back in Black", "Firework", "No Such Song", "No Such Song"};

    const Result r = mfrec({"predict", "-m", model_path, "--pairs", path("pairs.csv"), "--no-clip"});
    ASSERT_EQ(r.code, 0) << r.err;
    // A count on stderr, and not as an error.
    EXPECT_NE(r.err.find('3'), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_FALSE(r.err.starts_with("mfrec: error")) << r.err;
    const Rows rows = parse_csv(r.out);
    ASSERT_EQ(rows.size(), 5u);
    EXPECT_EQ(rows[0], (std::vector<std::string>{"user", "item", "prediction"}));
    for (std::size_t k = 0; k < 4; ++k) {
      EXPECT_EQ(rows[k + 1][0], users[k]);
      EXPECT_EQ(rows[k + 1][1], items[k]);
      expect_relative(number(rows[k + 1][2]), want[k], 1e-12, users[k] + " / " + items[k]);
    }
    EXPECT_NE(want[1], want[3]) << "the item bias should show in the fallback";

    const Rows clipped = parse_csv(output_of({"predict", "-m", model_path, "--pairs", path("pairs.csv"), "-q"}));
    ASSERT_EQ(clipped.size(), 5u);
    for (std::size_t k = 0; k < 4; ++k)
      expect_relative(number(clipped[k + 1][2]), m.clip(want[k]), 1e-12, "clipped " + users[k]);
  }
}

TEST_F(Cli, PredictPairsFromStdinWithAndWithoutHeader) {
  const std::string model_path = seed_model();
  const mfrec::Model m = mfrec::load_model(model_path);
  const std::string body = "Hermione,Back in Black\nSpock,The Imperial March\nRipley,Hedwig\xE2\x80\x99s Theme\n";
  const std::vector<std::pair<std::uint32_t, std::uint32_t>> want{{1, 1}, {3, 11}, {2, 8}};

  const Rows with_header =
      parse_csv(output_of({"predict", "-m", model_path, "--pairs", "-"}, stdin_text("user,item\n" + body)));
  const Rows headerless =
      parse_csv(output_of({"predict", "-m", model_path, "--pairs", "-", "--no-header"}, stdin_text(body)));
  write_file(path("pairs.csv"), "user,item\n" + body);
  const Rows from_file = parse_csv(output_of({"predict", "-m", model_path, "--pairs", path("pairs.csv")}));
  ASSERT_EQ(with_header.size(), 4u);
  EXPECT_EQ(headerless, with_header);
  EXPECT_EQ(from_file, with_header);
  for (std::size_t k = 0; k < want.size(); ++k) {
    const auto [u, i] = want[k];
    EXPECT_EQ(with_header[k + 1][0], kMusicUsers[u]);
    EXPECT_EQ(with_header[k + 1][1], kMusicItems[i]);
    expect_relative(number(with_header[k + 1][2]), m.clip(m.predict(u, i)), 1e-12, kMusicUsers[u]);
  }
}

TEST_F(Cli, PredictPairsStrictMakesAnUnknownNameAnError) {
  const std::string model_path = seed_model();
  const std::string pairs = "user,item\nHermione,Back in Black\nNobody,Firework\n";
  const Result user = mfrec({"predict", "-m", model_path, "--pairs", "-", "--strict"}, stdin_text(pairs));
  expect_failure(user, 65, "Nobody");
  EXPECT_NE(user.err.find(":3:1)"), std::string::npos) << "should say line 3, column 1: " << user.err;
  write_file(path("items.csv"), "user,item\nHermione,Back in Black\nHermione,No Such Song\n");
  const Result item = mfrec({"predict", "-m", model_path, "--pairs", path("items.csv"), "--strict"});
  expect_failure(item, 65, "No Such Song");
  EXPECT_NE(item.err.find("items.csv:3:10"), std::string::npos) << "should say file:line:column: " << item.err;
}

TEST_F(Cli, EveryFormatGivesTheSameNumbers) {
  const std::string model_path = seed_model();
  std::set<std::string> long_text{"user", "item"}, matrix_text{"user"};
  const auto long_csv = records(output_of({"predict", "-m", model_path, "--long", "-f", "csv"}), "csv", long_text);
  const auto matrix_csv = records(output_of({"predict", "-m", model_path, "-f", "csv"}), "csv", matrix_text);
  ASSERT_EQ(long_csv.size(), 48u);
  ASSERT_EQ(matrix_csv.size(), 4u);
  for (const std::string format : {"tsv", "json", "jsonl"}) {
    SCOPED_TRACE(format);
    const std::string long_out = output_of({"predict", "-m", model_path, "--long", "-f", format});
    const std::string matrix_out = output_of({"predict", "-m", model_path, "-f", format});
    EXPECT_EQ(records(long_out, format, long_text), long_csv);
    // Same keys in the same (header) order, same doubles.
    EXPECT_EQ(records(matrix_out, format, matrix_text), matrix_csv);
  }
  for (const auto& record : records(output_of({"predict", "-m", model_path, "--long", "-f", "json"}), "json", {}))
    EXPECT_TRUE(record["prediction"].is_number_float()) << record.dump();
}

TEST_F(Cli, RecommendAndSimilarityAgreeAcrossFormats) {
  const std::string model_path = seed_model();
  const std::vector<std::pair<std::vector<std::string>, std::set<std::string>>> commands{
      {{"recommend", "--all-users", "--top", "3"}, {"user", "item"}},
      {{"similarity", "--user", "Spock", "--top", "3"}, {"user", "neighbor"}},
      {{"similarity"}, {"user"}},
  };
  for (const auto& [command, text] : commands) {
    SCOPED_TRACE(testing::PrintToString(command));
    std::vector<std::string> args = command;
    args.insert(args.end(), {"-m", model_path, "-f", "csv"});
    const auto csv = records(output_of(args), "csv", text);
    ASSERT_FALSE(csv.empty());
    for (const std::string format : {"tsv", "json", "jsonl"}) {
      args.back() = format;
      const auto parsed = records(output_of(args), format, text);
      EXPECT_EQ(parsed, csv) << format;
      if (command[0] != "recommend" || format == "tsv") continue;
      for (const auto& r : parsed) EXPECT_TRUE(r["rank"].is_number_integer()) << r.dump();
    }
  }
}

TEST_F(Cli, TableHasNamesAndFourDecimalNumbersAligned) {
  const std::string model_path = seed_model();
  const mfrec::Model m = mfrec::load_model(model_path);
  const std::vector<std::string> lines = split_lines(output_of({"predict", "-m", model_path, "-f", "table"}));
  ASSERT_EQ(lines.size(), 5u);
  std::vector<std::string> header{"user"};
  header.insert(header.end(), kMusicItems.begin(), kMusicItems.end());
  EXPECT_EQ(table_cells(lines[0]), header);
  for (std::uint32_t u = 0; u < 4; ++u) {
    const auto cells = table_cells(lines[u + 1]);
    ASSERT_EQ(cells.size(), 13u) << lines[u + 1];
    EXPECT_EQ(cells[0], kMusicUsers[u]);
    for (std::uint32_t i = 0; i < 12; ++i) {
      char want[32];
      std::snprintf(want, sizeof want, "%.4f", m.clip(m.predict(u, i)));
      EXPECT_EQ(cells[i + 1], want) << kMusicUsers[u] << " / " << kMusicItems[i];
    }
  }
  // Numbers are right-aligned, so every line ends in the same column; counting
  // characters, not bytes, checks that the 3-byte apostrophe is one column.
  for (const auto& line : lines) EXPECT_EQ(code_points(line), code_points(lines[0])) << line;
}

TEST_F(Cli, DefaultFormatIsCsvWhenStdoutIsNotATerminal) {
  const std::string model_path = seed_model();
  for (const std::vector<std::string>& command :
       {std::vector<std::string>{"predict"}, {"similarity"}, {"recommend", "--user", "Hermione"}}) {
    std::vector<std::string> args = command;
    args.insert(args.end(), {"-m", model_path});
    const std::string plain = output_of(args);
    args.insert(args.end(), {"-f", "csv"});
    EXPECT_EQ(plain, output_of(args)) << command[0];
  }
}

TEST_F(Cli, NarrowTerminalTableFitsAndKeepsEveryNumber) {
  const std::string model_path = seed_model();
  const mfrec::Model m = mfrec::load_model(model_path);
  constexpr unsigned short kColumns = 60;
  // --max-rows 0: the whole table (by default a terminal gets one panel).
  const std::string text = run_on_terminal({"predict", "-m", model_path, "--max-rows", "0"}, dir_.string(), kColumns);
  // Names may be cut with an ellipsis and columns split into panels, each
  // repeating the user column, but every number is shown whole.
  std::map<std::string, std::vector<std::string>> numbers;
  for (const auto& line : split_lines(text)) {
    EXPECT_LE(code_points(line), kColumns) << line;
    const auto cells = table_cells(line);
    if (cells.empty() || std::find(kMusicUsers.begin(), kMusicUsers.end(), cells[0]) == kMusicUsers.end()) continue;
    numbers[cells[0]].insert(numbers[cells[0]].end(), cells.begin() + 1, cells.end());
  }
  ASSERT_EQ(numbers.size(), 4u) << text;
  for (std::uint32_t u = 0; u < 4; ++u) {
    std::vector<std::string> want;
    for (std::uint32_t i = 0; i < 12; ++i) {
      char cell[32];
      std::snprintf(cell, sizeof cell, "%.4f", m.clip(m.predict(u, i)));
      want.push_back(cell);
    }
    EXPECT_EQ(numbers[kMusicUsers[u]], want) << text;
  }
}

TEST_F(Cli, DefaultFormatIsTableOnATerminal) {
  const std::string model_path = seed_model();
  const std::string text = run_on_terminal({"recommend", "-m", model_path, "--user", "Hermione"}, dir_.string(), 200);
  const std::vector<std::string> lines = split_lines(text);
  ASSERT_EQ(lines.size(), 3u) << text;
  EXPECT_EQ(table_cells(lines[0]), (std::vector<std::string>{"user", "rank", "item", "score"})) << text;
  EXPECT_EQ(text.find(','), std::string::npos) << text;
  const auto first = table_cells(lines[1]);
  ASSERT_EQ(first.size(), 4u) << text;
  EXPECT_EQ(first[0], "Hermione");
  EXPECT_EQ(first[1], "1");
  EXPECT_EQ(first[3].size(), first[3].find('.') + 5) << "4 decimals: " << first[3];
}

// ---- similarity ------------------------------------------------------------

// The similarity table as parsed numbers, checking the header and row names.
Matrix similarity_table(const std::string& csv, const std::string& key, const std::vector<std::string>& names) {
  const Rows rows = parse_csv(csv);
  std::vector<std::string> header{key};
  header.insert(header.end(), names.begin(), names.end());
  EXPECT_EQ(rows.size(), names.size() + 1);
  if (rows.empty()) return {};
  EXPECT_EQ(rows[0], header);
  Matrix table;
  for (std::size_t r = 1; r < rows.size(); ++r) {
    EXPECT_EQ(rows[r].size(), names.size() + 1);
    EXPECT_EQ(rows[r][0], names[r - 1]);
    std::vector<double> row;
    for (std::size_t c = 1; c < rows[r].size(); ++c) row.push_back(number(rows[r][c]));
    table.push_back(std::move(row));
  }
  return table;
}

void expect_cosine_table(const Matrix& table, const Matrix& vectors, double tolerance) {
  ASSERT_EQ(table.size(), vectors.size());
  for (std::size_t a = 0; a < table.size(); ++a) {
    ASSERT_EQ(table[a].size(), vectors.size());
    EXPECT_EQ(table[a][a], 1.0) << "diagonal " << a;
    for (std::size_t b = 0; b < table.size(); ++b) {
      EXPECT_EQ(table[a][b], table[b][a]) << a << "," << b << " not symmetric";
      EXPECT_NEAR(table[a][b], naive_cosine(vectors[a], vectors[b]), tolerance) << a << "," << b;
    }
  }
}

// The rows as `predict --no-clip` prints them: the predicted matrix.
Matrix predicted_rows(const std::string& csv) {
  Matrix predicted;
  const Rows rows = parse_csv(csv);
  for (std::size_t r = 1; r < rows.size(); ++r) {
    predicted.emplace_back();
    for (std::size_t c = 1; c < rows[r].size(); ++c) predicted.back().push_back(number(rows[r][c]));
  }
  return predicted;
}

// x minus each row's mean and each column's mean, plus the overall mean.
Matrix double_centered(const Matrix& x) {
  const std::size_t rows = x.size(), cols = x[0].size();
  std::vector<double> row_mean(rows, 0.0), col_mean(cols, 0.0);
  double mean = 0.0;
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t c = 0; c < cols; ++c) {
      row_mean[r] += x[r][c] / static_cast<double>(cols);
      col_mean[c] += x[r][c] / static_cast<double>(rows);
      mean += x[r][c] / static_cast<double>(rows * cols);
    }
  Matrix out = x;
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t c = 0; c < cols; ++c) out[r][c] = x[r][c] - row_mean[r] - col_mean[c] + mean;
  return out;
}

TEST_F(Cli, SimilarityIsCosineOfDoubleCenteredPredictedRowsByDefault) {
  // With biases and with --normalize (the scaler's shift and scale must vanish too).
  for (const std::string& model_path :
       {bias_model(), train("normalized", {music(), "-k", "4", "-e", "100", "--normalize"})}) {
    SCOPED_TRACE(model_path);
    const Matrix centered = double_centered(predicted_rows(output_of({"predict", "-m", model_path, "--no-clip"})));
    ASSERT_EQ(centered.size(), 4u);
    const Matrix users = similarity_table(output_of({"similarity", "-m", model_path}), "user", kMusicUsers);
    expect_cosine_table(users, centered, 1e-9);
    const Matrix items = similarity_table(output_of({"similarity", "-m", model_path, "--space", "centered", "--items"}),
                                          "item", kMusicItems);
    expect_cosine_table(items, transpose(centered), 1e-9);
  }
}

TEST_F(Cli, SimilarityIsCosineOfPredictedRows) {
  const std::string model_path = seed_model();
  const Matrix predicted = predicted_rows(output_of({"predict", "-m", model_path, "--no-clip"}));
  ASSERT_EQ(predicted.size(), 4u);
  const Matrix users =
      similarity_table(output_of({"similarity", "-m", model_path, "--space", "predicted"}), "user", kMusicUsers);
  expect_cosine_table(users, predicted, 1e-9);
  const Matrix items = similarity_table(output_of({"similarity", "-m", model_path, "--space", "predicted", "--items"}),
                                        "item", kMusicItems);
  expect_cosine_table(items, transpose(predicted), 1e-9);
}

TEST_F(Cli, SimilarityFactorsSpaceIsCosineOfLatentVectors) {
  const std::string model_path = bias_model();  // with biases the two spaces differ most
  const mfrec::Model m = mfrec::load_model(model_path);
  const Matrix users =
      similarity_table(output_of({"similarity", "-m", model_path, "--space", "factors"}), "user", kMusicUsers);
  expect_cosine_table(users, factor_rows(m.user_factors), 1e-9);
  const Matrix items = similarity_table(output_of({"similarity", "-m", model_path, "--space", "factors", "--items"}),
                                        "item", kMusicItems);
  expect_cosine_table(items, factor_rows(m.item_factors), 1e-9);
  const Matrix predicted =
      similarity_table(output_of({"similarity", "-m", model_path, "--space", "predicted"}), "user", kMusicUsers);
  EXPECT_NE(predicted, users) << "--space factors should not be the predicted space";
}

TEST_F(Cli, SimilarityTopNeighborsSortedWithoutTheUser) {
  const std::string model_path = seed_model();
  const mfrec::Model m = mfrec::load_model(model_path);
  const mfrec::SimilarityIndex index(m, mfrec::Side::Users, mfrec::SimilaritySpace::Predicted);
  const Matrix x = predicted_matrix(m);
  for (std::size_t top : {1u, 2u, 3u, 10u}) {
    SCOPED_TRACE(top);
    const Rows rows =
        parse_csv(output_of({"similarity", "-m", model_path, "--space", "predicted", "--user", "Hermione", "--top",
                             std::to_string(top)}));
    ASSERT_EQ(rows.size(), 1 + std::min<std::size_t>(top, 3));
    EXPECT_EQ(rows[0], (std::vector<std::string>{"user", "neighbor", "similarity"}));
    std::set<std::string> seen;
    for (std::size_t r = 1; r < rows.size(); ++r) {
      EXPECT_EQ(rows[r][0], "Hermione");
      EXPECT_NE(rows[r][1], "Hermione");
      EXPECT_TRUE(seen.insert(rows[r][1]).second) << "twice: " << rows[r][1];
      if (r > 1) {
        EXPECT_GE(number(rows[r - 1][2]), number(rows[r][2])) << "not most similar first";
      }
      const auto v = m.users.find(rows[r][1]);
      ASSERT_TRUE(v) << rows[r][1];
      EXPECT_NEAR(number(rows[r][2]), naive_cosine(x[1], x[*v]), 1e-9);
      EXPECT_EQ(number(rows[r][2]), index(1, *v)) << "--top and the core API disagree";
    }
  }
}

TEST_F(Cli, SimilarityItemNeighbors) {
  const std::string model_path = seed_model();
  const mfrec::Model m = mfrec::load_model(model_path);
  const Matrix columns = transpose(predicted_matrix(m));
  const std::string hedwig = kMusicItems[8];
  const Rows rows = parse_csv(
      output_of({"similarity", "-m", model_path, "--space", "predicted", "--items", "--item", hedwig, "--top", "5"}));
  ASSERT_EQ(rows.size(), 6u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"item", "neighbor", "similarity"}));
  // The five highest cosines among the other items, computed here.
  std::vector<std::pair<double, std::string>> want;
  for (std::uint32_t i = 0; i < 12; ++i)
    if (i != 8) want.emplace_back(-naive_cosine(columns[8], columns[i]), kMusicItems[i]);
  std::sort(want.begin(), want.end());
  for (std::size_t r = 1; r < rows.size(); ++r) {
    EXPECT_EQ(rows[r][0], hedwig);
    EXPECT_EQ(rows[r][1], want[r - 1].second);
    EXPECT_NEAR(number(rows[r][2]), -want[r - 1].first, 1e-9);
  }
}

// ---- recommend -------------------------------------------------------------

// Rows of `recommend` output as (user, rank, item, score), checking the header.
struct Rec {
  std::string user;
  int rank;
  std::string item;
  double score;
};

std::vector<Rec> parse_recommendations(const std::string& csv) {
  const Rows rows = parse_csv(csv);
  std::vector<Rec> out;
  EXPECT_FALSE(rows.empty());
  if (rows.empty()) return out;
  EXPECT_EQ(rows[0], (std::vector<std::string>{"user", "rank", "item", "score"}));
  for (std::size_t r = 1; r < rows.size(); ++r) {
    EXPECT_EQ(rows[r].size(), 4u);
    if (rows[r].size() != 4) continue;
    out.push_back({rows[r][0], static_cast<int>(number(rows[r][1])), rows[r][2], number(rows[r][3])});
  }
  return out;
}

TEST_F(Cli, RecommendHermioneGetsHerTwoUnratedSongsByBothMethods) {
  const std::string model_path = seed_model();
  for (const std::string method : {"predicted", "neighbors"}) {
    SCOPED_TRACE(method);
    const auto recs =
        parse_recommendations(output_of({"recommend", "-m", model_path, "--user", "Hermione", "--method", method}));
    ASSERT_EQ(recs.size(), 2u);
    EXPECT_EQ((std::set<std::string>{recs[0].item, recs[1].item}),
              (std::set<std::string>{"Back in Black", "Brandenburg Concerto No. 3"}));
    EXPECT_EQ(recs[0].rank, 1);
    EXPECT_EQ(recs[1].rank, 2);
    EXPECT_GE(recs[0].score, recs[1].score);
    for (const auto& r : recs) EXPECT_EQ(r.user, "Hermione");
  }
}

TEST_F(Cli, RecommendNeverReturnsRatedItemsUnlessAsked) {
  const std::string model_path = seed_model();
  const auto rated = music_rated();
  ASSERT_EQ(rated.size(), 39u);
  for (const std::string method : {"predicted", "neighbors"}) {
    SCOPED_TRACE(method);
    const auto recs = parse_recommendations(
        output_of({"recommend", "-m", model_path, "--all-users", "--top", "12", "--method", method}));
    // Every unrated cell once, no rated one: 48 cells - 39 ratings.
    EXPECT_EQ(recs.size(), 9u);
    for (const auto& r : recs) EXPECT_FALSE(rated.count({r.user, r.item})) << r.user << " rated " << r.item;

    const auto all = parse_recommendations(output_of(
        {"recommend", "-m", model_path, "--user", "Hermione", "--top", "12", "--include-rated", "--method", method}));
    ASSERT_EQ(all.size(), 12u);
    std::set<std::string> items;
    int rated_ones = 0;
    for (std::size_t k = 0; k < all.size(); ++k) {
      EXPECT_EQ(all[k].rank, static_cast<int>(k) + 1);
      items.insert(all[k].item);
      rated_ones += static_cast<int>(rated.count({"Hermione", all[k].item}));
    }
    EXPECT_EQ(items.size(), 12u);
    EXPECT_EQ(rated_ones, 10);
  }
}

TEST_F(Cli, RecommendTopLimitsRowsPerUser) {
  const std::string model_path = seed_model();
  // Unrated songs per user in music.csv: Darth Vader 4, Hermione 2, Ripley 1, Spock 2.
  const std::map<std::string, std::size_t> unrated{{"Darth Vader", 4}, {"Hermione", 2}, {"Ripley", 1}, {"Spock", 2}};
  for (std::size_t top : {1u, 2u, 3u}) {
    SCOPED_TRACE(top);
    std::map<std::string, std::size_t> count;
    for (const auto& r :
         parse_recommendations(output_of({"recommend", "-m", model_path, "--all-users", "-n", std::to_string(top)})))
      ++count[r.user];
    for (const auto& [user, n] : unrated) EXPECT_EQ(count[user], std::min(top, n)) << user;
  }
  const auto one = parse_recommendations(
      output_of({"recommend", "-m", model_path, "--user", "Ripley", "--include-rated", "--top", "5"}));
  EXPECT_EQ(one.size(), 5u);
  // Several --user: each user's rows together, in the order asked.
  std::vector<std::string> order;
  for (const auto& r : parse_recommendations(
           output_of({"recommend", "-m", model_path, "--user", "Spock", "--user", "Darth Vader", "--top", "2"})))
    order.push_back(r.user);
  EXPECT_EQ(order, (std::vector<std::string>{"Spock", "Spock", "Darth Vader", "Darth Vader"}));
}

TEST_F(Cli, RecommendAllUsersEqualsTheCoreApiPerUser) {
  const std::string model_path = bias_model();
  const mfrec::Model m = mfrec::load_model(model_path);
  struct Case {
    std::vector<std::string> flags;
    mfrec::RecommendOptions options;
  };
  const std::vector<Case> cases{
      {{}, {}},
      {{"--top", "3", "--include-rated"}, {.top = 3, .include_rated = true}},
      {{"--method", "neighbors"}, {.method = mfrec::RecommendMethod::Neighbors}},
      {{"--method", "neighbors", "--neighbors", "1", "--top", "2"},
       {.top = 2, .method = mfrec::RecommendMethod::Neighbors, .neighbors = 1}},
      {{"--method", "neighbors", "--include-rated", "--threads", "3"},
       {.include_rated = true, .method = mfrec::RecommendMethod::Neighbors}},
      {{"--method", "neighbors", "--space", "factors"},
       {.method = mfrec::RecommendMethod::Neighbors, .space = mfrec::SimilaritySpace::Factors}},
      {{"--method", "neighbors", "--space", "predicted"},
       {.method = mfrec::RecommendMethod::Neighbors, .space = mfrec::SimilaritySpace::Predicted}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(testing::PrintToString(c.flags));
    std::vector<std::string> args{"recommend", "-m", model_path, "--all-users"};
    args.insert(args.end(), c.flags.begin(), c.flags.end());
    const auto got = parse_recommendations(output_of(args));
    std::size_t k = 0;
    for (std::uint32_t u = 0; u < m.users.size(); ++u) {
      int rank = 0;
      for (const auto& want : mfrec::recommend(m, u, c.options)) {
        ASSERT_LT(k, got.size()) << "missing rows for " << m.users.name(u);
        EXPECT_EQ(got[k].user, m.users.name(u));
        EXPECT_EQ(got[k].rank, ++rank);
        EXPECT_EQ(got[k].item, m.items.name(want.item));
        expect_relative(got[k].score, want.score, 1e-12, got[k].user + " / " + got[k].item);
        ++k;
      }
    }
    EXPECT_EQ(k, got.size()) << "extra rows";
  }
}

TEST_F(Cli, RecommendSeveralUsersEqualsOneCoreCallPerUserInTheOrderAsked) {
  const std::string model_path = bias_model();
  const mfrec::Model m = mfrec::load_model(model_path);
  const std::vector<std::string> asked{"Spock", "Darth Vader", "Ripley", "Spock"};
  struct Case {
    std::vector<std::string> flags;
    mfrec::RecommendOptions options;
  };
  const std::vector<Case> cases{
      {{}, {}},
      {{"--top", "3", "--include-rated", "--threads", "1"}, {.top = 3, .include_rated = true}},
      {{"--method", "neighbors"}, {.method = mfrec::RecommendMethod::Neighbors}},
      {{"--method", "neighbours", "--neighbours", "1", "--include-rated", "--top", "12"},
       {.top = 12, .include_rated = true, .method = mfrec::RecommendMethod::Neighbors, .neighbors = 1}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(testing::PrintToString(c.flags));
    std::vector<std::string> args{"recommend", "-m", model_path};
    for (const auto& name : asked) args.insert(args.end(), {"--user", name});
    args.insert(args.end(), c.flags.begin(), c.flags.end());
    const auto got = parse_recommendations(output_of(args));
    std::size_t k = 0;
    for (const auto& name : asked) {
      int rank = 0;
      for (const auto& want : mfrec::recommend(m, *m.users.find(name), c.options)) {
        ASSERT_LT(k, got.size()) << "missing rows for " << name;
        EXPECT_EQ(got[k].user, name);
        EXPECT_EQ(got[k].rank, ++rank);
        EXPECT_EQ(got[k].item, m.items.name(want.item));
        EXPECT_EQ(got[k].score, want.score) << name << " / " << got[k].item;  // shortest round trip: exact
        ++k;
      }
    }
    EXPECT_EQ(k, got.size()) << "extra rows";
  }
}

TEST_F(Cli, RecommendPredictedScoresAreTheBestPredictions) {
  const std::string model_path = bias_model();
  const mfrec::Model m = mfrec::load_model(model_path);
  // --shrink 0: rank by the plain prediction (the default shrinks it).
  const auto recs = parse_recommendations(
      output_of({"recommend", "-m", model_path, "--all-users", "--top", "3", "--shrink", "0"}));
  for (std::uint32_t u = 0; u < m.users.size(); ++u) {
    // The three unrated items with the highest exact prediction, ties to the earlier item.
    std::vector<std::pair<double, std::uint32_t>> best;
    for (std::uint32_t i = 0; i < m.items.size(); ++i)
      if (!m.has_rated(u, i)) best.emplace_back(-m.predict(u, i), i);
    std::sort(best.begin(), best.end());
    best.resize(std::min<std::size_t>(3, best.size()));
    std::vector<Rec> mine;
    for (const auto& r : recs)
      if (r.user == m.users.name(u)) mine.push_back(r);
    ASSERT_EQ(mine.size(), best.size()) << m.users.name(u);
    for (std::size_t k = 0; k < best.size(); ++k) {
      EXPECT_EQ(mine[k].item, m.items.name(best[k].second)) << m.users.name(u) << " rank " << k + 1;
      expect_relative(mine[k].score, -best[k].first, 1e-12, m.users.name(u) + " / " + mine[k].item);
    }
  }
}

TEST_F(Cli, RecommendNeighborScoresAreASimilarityWeightedAverage) {
  const std::string model_path = seed_model();
  const mfrec::Model m = mfrec::load_model(model_path);
  for (const std::string k : {"1", "2", "3"}) {
    SCOPED_TRACE("--neighbors " + k);
    const auto recs = parse_recommendations(
        output_of({"recommend", "-m", model_path, "--user", "Darth Vader", "--method", "neighbors", "--neighbors", k,
                   "--space", "predicted", "--shrink", "0"}));  // plain predictions
    const std::vector<double> want = neighbor_scores(m, 0, std::stoul(k));
    ASSERT_EQ(recs.size(), 4u);  // Darth Vader's unrated songs
    for (std::size_t r = 0; r < recs.size(); ++r) {
      const auto i = m.items.find(recs[r].item);
      ASSERT_TRUE(i) << recs[r].item;
      EXPECT_NEAR(recs[r].score, want[*i], 1e-9 * std::max(1.0, std::abs(want[*i]))) << recs[r].item;
      if (r > 0) {
        EXPECT_GE(recs[r - 1].score, recs[r].score);
      }
    }
  }
}

// ---- errors ----------------------------------------------------------------

TEST_F(Cli, UnknownUserIsADataErrorSuggestingTheClosestName) {
  const std::string model_path = seed_model();
  for (const std::vector<std::string>& args : {std::vector<std::string>{"recommend", "--user", "Hermoine"},
                                               {"predict", "--user", "Hermoine"},
                                               {"similarity", "--user", "Hermoine"}}) {
    SCOPED_TRACE(args[0]);
    std::vector<std::string> full = args;
    full.insert(full.end(), {"-m", model_path});
    const Result r = mfrec(full);
    expect_failure(r, 65, "Hermione");
    EXPECT_NE(r.err.find("Hermoine"), std::string::npos) << "should name what was asked: " << r.err;
    EXPECT_EQ(r.out, "");
  }
}

TEST_F(Cli, MissingModelIsAnOpenErrorWithAHint) {
  for (const std::string command : {"predict", "similarity", "recommend"}) {
    SCOPED_TRACE(command);
    const Result r = mfrec({command, "-m", path("none.model"), "--user", "Hermione"});
    expect_failure(r, 66, "mfrec train");
    EXPECT_NE(r.err.find("none.model"), std::string::npos) << r.err;
  }
  // No -m and no $MFREC_MODEL: ./mfrec.model, which the test directory lacks.
  expect_failure(mfrec({"predict"}), 66, "mfrec.model");
}

TEST_F(Cli, ModelFromTheEnvironment) {
  const std::string model_path = seed_model();
  const std::string by_flag = output_of({"predict", "-m", model_path});
  EXPECT_EQ(output_of({"predict"}, environment("MFREC_MODEL=" + model_path)), by_flag);
  fs::copy_file(model_path, path("mfrec.model"));
  EXPECT_EQ(output_of({"predict"}), by_flag) << "./mfrec.model is the default";
}

TEST_F(Cli, CorruptModelIsADataError) {
  const std::string good = read_file(seed_model());
  ASSERT_GT(good.size(), 64u);
  std::string flipped = good;
  flipped[flipped.size() / 2] = static_cast<char>(flipped[flipped.size() / 2] ^ 0x5A);
  std::string newer = good;
  newer[8] = static_cast<char>(newer[8] + 1);  // the format version, right after the magic
  const std::vector<std::pair<std::string, std::string>> bad{
      {"truncated", good.substr(0, good.size() / 2)},
      {"flipped", flipped},
      {"text", "user,item,rating\nHermione,Firework,5\n"},
      {"empty", ""},
      {"newer", newer},
  };
  for (const auto& [name, bytes] : bad) {
    SCOPED_TRACE(name);
    write_file(path(name + ".model"), bytes);
    for (const std::string command : {"predict", "similarity", "recommend"}) {
      const Result r = mfrec({command, "-m", path(name + ".model"), "--user", "Hermione"});
      expect_failure(r, 65, name + ".model");
      EXPECT_EQ(r.out, "") << command;
    }
  }
}

TEST_F(Cli, UsageErrorsExit64) {
  const std::string model_path = seed_model();
  const std::vector<std::vector<std::string>> cases{
      {"recommend", "--user", "Hermione", "--top", "0"},
      {"recommend", "--user", "Hermione", "--top", "-3"},
      {"recommend", "--user", "Hermione", "--method", "neighbors", "--neighbors", "-1"},
      {"recommend", "--user", "Hermione", "--neighbors", "0"},
      {"recommend", "--user", "Hermione", "-f", "yaml"},
      {"recommend", "--user", "Hermione", "--method", "magic"},
      {"recommend"},
      {"recommend", "--user", "Hermione", "--all-users"},
      {"similarity", "--user", "Hermione", "--top", "0"},
      {"similarity", "--space", "latent"},
      {"similarity", "-f", "yaml"},
      {"predict", "-f", "yaml"},
      {"predict", "--format"},
      {"predict", "--no-such-flag"},
      {"predict", "--pairs", "-", "--long"},
      {"predict", "--pairs", "-", "--user", "Hermione"},
  };
  for (const auto& args : cases) {
    SCOPED_TRACE(testing::PrintToString(args));
    std::vector<std::string> full = args;
    full.insert(full.end(), {"-m", model_path});
    const Result r = mfrec(full, stdin_text("user,item\nHermione,Firework\n"));
    expect_failure(r, 64);
    EXPECT_EQ(r.out, "");
  }
}

TEST_F(Cli, OutputFileHasTheSameBytesAsStdoutAndNoTempFile) {
  const std::string model_path = seed_model();
  const std::vector<std::vector<std::string>> commands{
      {"predict", "--long"},
      {"similarity"},
      {"recommend", "--all-users", "-f", "json"},
      {"predict", "-f", "table"},
  };
  for (const auto& command : commands) {
    SCOPED_TRACE(testing::PrintToString(command));
    std::vector<std::string> args = command;
    args.insert(args.end(), {"-m", model_path});
    const std::string stdout_bytes = output_of(args);
    ASSERT_FALSE(stdout_bytes.empty());
    const std::string out = result_path("out.result");
    args.insert(args.end(), {"-o", out});
    EXPECT_EQ(output_of(args), "") << "-o should leave stdout empty";
    EXPECT_EQ(read_file(out), stdout_bytes);
    std::vector<std::string> left;
    for (const auto& e : fs::directory_iterator(dir_ / "results")) left.push_back(e.path().filename().string());
    EXPECT_EQ(left, std::vector<std::string>{"out.result"});
    fs::remove(out);
  }
}

TEST_F(Cli, FailingCommandLeavesAnExistingOutputUntouched) {
  const std::string model_path = seed_model();
  const std::string out = result_path("keep.csv");
  write_file(out, "precious\n");
  // Fails before any output: an unknown user.
  expect_failure(mfrec({"recommend", "-m", model_path, "--user", "Hermoine", "-o", out}), 65);
  // Fails midway, after rows were written: --strict meets an unknown user on line 3.
  std::string pairs = "user,item\n";
  for (int k = 0; k < 2000; ++k) pairs += "Hermione,Back in Black\n";
  pairs += "Nobody,Firework\n";
  expect_failure(mfrec({"predict", "-m", model_path, "--pairs", "-", "--strict", "-o", out}, stdin_text(pairs)), 65,
                 "Nobody");
  expect_failure(mfrec({"predict", "-m", path("none.model"), "-o", out}), 66);
  EXPECT_EQ(read_file(out), "precious\n");
  std::vector<std::string> left;
  for (const auto& e : fs::directory_iterator(dir_ / "results")) left.push_back(e.path().filename().string());
  EXPECT_EQ(left, std::vector<std::string>{"keep.csv"});
}

TEST_F(Cli, UncreatableOutputExits73) {
  const std::string model_path = seed_model();
  expect_failure(mfrec({"predict", "-m", model_path, "-o", path("no/such/dir/out.csv")}), 73, "out.csv");
  expect_failure(mfrec({"predict", "-m", model_path, "-o", dir_.string()}), 73);
}

TEST_F(Cli, FullDiskOnStdoutExits74) {
  const std::string model_path = seed_model();
  const Result r = mfrec({"predict", "-m", model_path, "--long"}, stdout_file("/dev/full"));
  expect_failure(r, 74);
}

TEST_F(Cli, StdoutClosedEarlyIsNotAnError) {
  // 3000 users x 211 items: megabytes of output, far more than a pipe holds,
  // so mfrec is still writing when `head` goes away.
  std::string ratings = "user,item,rating\n";
  for (int n = 0; n < 3000; ++n)
    ratings += "u" + std::to_string(n) + ",i" + std::to_string(n % 211) + "," + std::to_string(1 + n % 5) + "\n";
  write_file(path("big.csv"), ratings);
  const std::string model_path = train("big", {path("big.csv"), "-k", "2", "-e", "1"});
  const std::vector<std::pair<std::string, std::string>> commands{
      {"predict --long", "user,item,prediction"},
      {"recommend --all-users", "user,rank,item,score"},
  };
  for (const auto& [command, header] : commands) {
    SCOPED_TRACE(command);
    // bash for PIPESTATUS: mfrec's own exit code, not head's.
    const std::string script = "\"$0\" " + command + " -m \"$1\" 2>\"$2\" | head -n 1 >\"$3\"; echo ${PIPESTATUS[0]}";
    const Result r = run({"/bin/bash", "-c", script, MFREC_BINARY, model_path, path("err"), path("head")});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out, "0\n") << "mfrec's exit code; stderr: " << read_file(path("err"));
    EXPECT_EQ(read_file(path("err")), "");
    EXPECT_EQ(read_file(path("head")), header + "\n");
  }
}

// ---- output format details -------------------------------------------------

TEST_F(Cli, CsvQuotesNamesWithCommasAndQuotes) {
  const std::string model_path = tiny_model();
  const std::vector<std::string> items{kTinyItemWithQuote, kTinyItemAccents, kTinyItemWide, "Plain"};
  const std::string csv = output_of({"predict", "-m", model_path});
  const std::vector<std::string> lines = split_lines(csv);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0], "user,\"Hello, \"\"World\"\"\"," + kTinyItemAccents + "," + kTinyItemWide + ",Plain");
  EXPECT_TRUE(lines[1].starts_with("\"Smith, Jo\",")) << lines[1];

  std::vector<std::string> header{"user"};
  header.insert(header.end(), items.begin(), items.end());
  const Rows rows = parse_csv(csv);
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0], header);
  EXPECT_EQ(rows[1][0], kTinyUserWithComma);

  // TSV: the comma needs no quotes there, the double quote still does.
  const std::vector<std::string> tsv = split_lines(output_of({"predict", "-m", model_path, "-f", "tsv"}));
  ASSERT_EQ(tsv.size(), 4u);
  EXPECT_TRUE(tsv[1].starts_with("Smith, Jo\t")) << tsv[1];
  EXPECT_EQ(parse_delimited(output_of({"predict", "-m", model_path, "-f", "tsv"}), '\t'), rows);

  const auto recs = parse_recommendations(output_of({"recommend", "-m", model_path, "--user", kTinyUserWithComma}));
  ASSERT_EQ(recs.size(), 1u);  // the one song Smith, Jo did not rate
  EXPECT_EQ(recs[0].user, kTinyUserWithComma);
  EXPECT_EQ(recs[0].item, "Plain");
  const auto quoted = parse_recommendations(
      output_of({"recommend", "-m", model_path, "--user", "Bo", "--include-rated", "--top", "4"}));
  std::set<std::string> got;
  for (const auto& r : quoted) got.insert(r.item);
  EXPECT_EQ(got, std::set<std::string>(items.begin(), items.end()));
}

TEST_F(Cli, JsonKeepsUtf8AndQuotedNames) {
  const std::string model_path = tiny_model();
  const mfrec::Model m = mfrec::load_model(model_path);
  const json all = json::parse(output_of({"predict", "-m", model_path, "-f", "json"}));
  ASSERT_TRUE(all.is_array());
  ASSERT_EQ(all.size(), 3u);
  const std::vector<std::string> keys{"user", kTinyItemWithQuote, kTinyItemAccents, kTinyItemWide, "Plain"};
  for (std::uint32_t u = 0; u < 3; ++u) {
    std::vector<std::string> got_keys;
    for (const auto& [key, value] : all[u].items()) got_keys.push_back(key);
    EXPECT_EQ(got_keys, keys);
    EXPECT_EQ(all[u]["user"], m.users.name(u));
    for (std::uint32_t i = 0; i < 4; ++i)
      expect_relative(all[u][m.items.name(i)].get<double>(), m.clip(m.predict(u, i)), 1e-12, m.items.name(i));
  }
  EXPECT_EQ(all[0]["user"], kTinyUserWithComma);

  const std::string lines =
      output_of({"similarity", "-m", model_path, "--items", "--item", kTinyItemWide, "--top", "3", "-f", "jsonl"});
  std::set<std::string> neighbors;
  for (const auto& line : split_lines(lines)) {
    const json o = json::parse(line);
    EXPECT_EQ(o["item"], kTinyItemWide);
    neighbors.insert(o["neighbor"].get<std::string>());
  }
  EXPECT_EQ(neighbors, (std::set<std::string>{kTinyItemWithQuote, kTinyItemAccents, "Plain"}));
}

// Ids are strings (CLI.md), so a MovieLens-style item may well be called
// "user" or "item": the matrix forms of JSON must not lose the row's name
// (or a value) when an item's name equals the first column's key.
TEST_F(Cli, JsonMatrixKeepsEveryColumnWhenANameEqualsTheKeyColumn) {
  write_file(path("ids.csv"), "user,item,rating\n1,user,5\n1,item,3\n2,user,1\n2,20,4\n3,item,2\n3,20,5\n");
  const std::string model_path = train("ids", {path("ids.csv"), "-k", "2", "-e", "20"});
  for (const std::vector<std::string>& command : {std::vector<std::string>{"predict"}, {"similarity", "--items"}}) {
    SCOPED_TRACE(command.back());
    std::vector<std::string> args = command;
    args.insert(args.end(), {"-m", model_path, "-f", "csv"});
    const Rows csv = parse_csv(output_of(args));
    args.back() = "jsonl";
    const std::vector<std::string> lines = split_lines(output_of(args));
    ASSERT_EQ(lines.size() + 1, csv.size());
    for (std::size_t r = 0; r < lines.size(); ++r) {
      const json o = json::parse(lines[r]);
      EXPECT_EQ(o.size(), csv[0].size()) << "JSON lost a column of " << testing::PrintToString(csv[0]) << ": "
                                         << lines[r];
      // The row's own name, a string even when it looks like a number.
      bool named = false;
      for (const auto& [key, value] : o.items()) named = named || value == json(csv[r + 1][0]);
      EXPECT_TRUE(named) << "row " << csv[r + 1][0] << " lost its name: " << lines[r];
    }
  }
}

}  // namespace
