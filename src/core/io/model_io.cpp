#include "mfrec/io/model_io.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <algorithm>
#include <cstring>
#include <functional>
#include <string_view>
#include <type_traits>

#include "mfrec/io/atomic_file.hpp"
#include "mfrec/error.hpp"

namespace mfrec {

namespace {

constexpr char kMagic[8] = {'M', 'F', 'R', 'E', 'C', 'M', 'D', 'L'};
constexpr std::uint32_t kEndianMarker = 0x01020304u;
constexpr std::size_t kHeaderSize = 8 + 4 + 4 + 8 + 8;

// 64-bit checksum over 8-byte words: each step is a bijection of the running
// value, so any change confined to one word (a flipped byte) always changes it.
// Streaming, so the writer can checksum the payload as it goes out.
class Checksum {
 public:
  explicit Checksum(std::uint64_t size) : h_(0x9E3779B97F4A7C15ull ^ size) {}

  void update(const char* p, std::size_t n) {
    while (n > 0 && pending_ > 0 && pending_ < 8) {  // finish a word begun earlier
      word_[pending_++] = *p++;
      --n;
    }
    if (pending_ == 8) {
      mix(word_);
      pending_ = 0;
    }
    for (; n >= 8; p += 8, n -= 8) mix(p);
    std::memcpy(word_, p, n);
    pending_ = n;
  }

  std::uint64_t finish() {
    std::uint64_t tail = 0;
    std::memcpy(&tail, word_, pending_);
    h_ = (h_ ^ tail) * 0x100000001B3ull;
    h_ ^= h_ >> 32;
    return h_;
  }

 private:
  void mix(const char* p) {
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    h_ = (h_ ^ w) * 0x100000001B3ull;
    h_ ^= h_ >> 29;
  }

  std::uint64_t h_;
  char word_[8] = {};
  std::size_t pending_ = 0;
};

std::uint64_t checksum(const char* p, std::size_t n) {
  Checksum c(n);
  c.update(p, n);
  return c.finish();
}

// Payload bytes, buffered and handed to a sink in large pieces (a whole
// model is never held in memory twice). Without a sink it only counts, which
// gives the payload size the header and checksum need up front.
class Writer {
 public:
  using Sink = std::function<void(std::string_view)>;
  Writer() = default;
  explicit Writer(Sink sink) : sink_(std::move(sink)) {}

  template <class T>
  void put(T value) {
    static_assert(std::is_trivially_copyable_v<T>);
    append(reinterpret_cast<const char*>(&value), sizeof value);
  }
  void put_string(const std::string& s) {
    put<std::uint32_t>(static_cast<std::uint32_t>(s.size()));
    append(s.data(), s.size());
  }
  template <class T>
  void put_array(const T* data, std::size_t n) {
    append(reinterpret_cast<const char*>(data), n * sizeof(T));
  }
  // Hands what is buffered to the sink; returns the bytes written in all.
  std::uint64_t finish() {
    flush();
    return written_;
  }

 private:
  static constexpr std::size_t kBufferBytes = 1 << 20;

  void append(const char* p, std::size_t n) {
    written_ += n;
    if (!sink_) return;
    if (buffer_.size() + n > kBufferBytes) flush();
    if (n > kBufferBytes) {
      sink_(std::string_view(p, n));
    } else {
      buffer_.append(p, n);
    }
  }
  void flush() {
    if (sink_ && !buffer_.empty()) sink_(buffer_);
    buffer_.clear();
  }

  Sink sink_;
  std::string buffer_;
  std::uint64_t written_ = 0;
};

class Reader {
 public:
  Reader(const char* p, std::size_t n, const std::string& name) : p_(p), end_(p + n), name_(name) {}

  [[noreturn]] void corrupt(const std::string& what) const {
    throw Error(ErrorKind::Format, name_ + " is not a valid mfrec model (" + what + ")");
  }
  std::size_t left() const { return static_cast<std::size_t>(end_ - p_); }
  void need(std::uint64_t bytes, const char* what) const {
    if (bytes > left()) corrupt(std::string("truncated ") + what);
  }
  template <class T>
  T get(const char* what) {
    need(sizeof(T), what);
    T v;
    std::memcpy(&v, p_, sizeof v);
    p_ += sizeof v;
    return v;
  }
  std::string get_string(const char* what) {
    const auto n = get<std::uint32_t>(what);
    need(n, what);
    std::string s(p_, n);
    p_ += n;
    return s;
  }
  // Reads `count` elements, checking the size against the bytes left first.
  template <class T>
  void get_array(T* out, std::uint64_t count, const char* what) {
    if (count > left() / sizeof(T)) corrupt(std::string("truncated ") + what);
    if (count != 0) std::memcpy(out, p_, count * sizeof(T));  // an empty vector's data() may be null
    p_ += count * sizeof(T);
  }
  template <class T>
  std::vector<T> get_vector(std::uint64_t count, const char* what) {
    if (count > left() / sizeof(T)) corrupt(std::string("truncated ") + what);
    std::vector<T> v(count);
    get_array(v.data(), count, what);
    return v;
  }

 private:
  const char* p_;
  const char* end_;
  const std::string& name_;
};

void put_names(Writer& w, const IdMap& ids) {
  w.put<std::uint32_t>(ids.size());
  for (std::uint32_t i = 0; i < ids.size(); ++i) w.put_string(ids.name(i));
}

IdMap get_names(Reader& r, const char* what) {
  const auto n = r.get<std::uint32_t>(what);
  if (n > r.left() / 4) r.corrupt(std::string("truncated ") + what);
  IdMap ids;
  ids.reserve(n);
  for (std::uint32_t i = 0; i < n; ++i) {
    const std::string name = r.get_string(what);
    if (ids.intern(name) != i) r.corrupt(std::string("repeated name in ") + what);
  }
  return ids;
}

void put_factors(Writer& w, const FactorMatrix& m) {
  for (std::size_t i = 0; i < m.rows(); ++i) w.put_array(m.row(i), m.k());
}

FactorMatrix get_factors(Reader& r, std::size_t rows, std::size_t k, const char* what) {
  if (k != 0 && rows > r.left() / (k * sizeof(float))) r.corrupt(std::string("truncated ") + what);
  FactorMatrix m(rows, k);
  for (std::size_t i = 0; i < rows; ++i) {
    r.get_array(m.row(i), k, what);
    for (std::size_t f = 0; f < k; ++f)
      if (!std::isfinite(m.row(i)[f])) r.corrupt(std::string("non-finite value in ") + what);
  }
  return m;
}

}  // namespace

namespace {

// Options are stored in file_slot order, each in its own type (switches
// and choices as one byte), as the option table in train_options.hpp says.
// Version 1 files stop before the objective's slot, version 2 files before
// the optimizer's: both were trained by plain SGD with no stopping rule
// and no per-row prior.
constexpr int kVersion1OptionSlots = 12;
constexpr int kVersion2OptionSlots = 14;

int stored_option_count() {
  int slots = 0;
  for_each_option(TrainOptions{}, [&](const OptionSpec& spec, const auto&) { slots = std::max(slots, spec.file_slot + 1); });
  return slots;
}

int option_slots(std::uint32_t version) {
  if (version == 1) return kVersion1OptionSlots;
  if (version == 2) return kVersion2OptionSlots;
  return stored_option_count();
}

template <class T>
auto stored(T value) {
  if constexpr (std::is_same_v<T, bool> || std::is_enum_v<T>) return static_cast<std::uint8_t>(value);
  else return value;
}

void put_options(Writer& w, const TrainOptions& o) {
  for (int slot = 0, n = stored_option_count(); slot < n; ++slot)
    for_each_option(o, [&](const OptionSpec& spec, const auto& field) {
      if (spec.file_slot == slot) w.put(stored(field));
    });
}

TrainOptions get_options(Reader& r, std::uint32_t version) {
  TrainOptions o = TrainOptions::defaults_for(Objective::Rating, Optimizer::Sgd);
  const int slots = option_slots(version);
  for (int slot = 0; slot < slots; ++slot)
    for_each_option(o, [&](const OptionSpec& spec, auto& field) {
      using T = std::decay_t<decltype(field)>;
      if (spec.file_slot != slot) return;
      if constexpr (std::is_same_v<T, bool>) {
        field = r.get<std::uint8_t>("options") != 0;
      } else if constexpr (std::is_enum_v<T>) {
        const auto code = r.get<std::uint8_t>("options");
        if (code >= ChoiceNames<T>::names.size()) r.corrupt("unknown " + std::string(spec.name));
        field = static_cast<T>(code);
      } else {
        field = r.get<T>("options");
        if (!range_problem(spec, static_cast<double>(field)).empty()) r.corrupt("bad " + std::string(spec.name));
      }
    });
  return o;
}

// Per-item training counts; a model built without them (by hand, in a
// test) gets the version 1 rule: every rated item counts.
void put_item_counts(Writer& w, const Model& m) {
  const std::vector<std::uint32_t> counts = m.popularity();
  w.put_array(counts.data(), counts.size());
}

// Item titles, last (version 4): a count, 0 for none or one per item, and
// the titles.
void put_titles(Writer& w, const Model& m) {
  w.put<std::uint32_t>(static_cast<std::uint32_t>(m.item_titles.size()));
  for (const std::string& title : m.item_titles) w.put_string(title);
}

// The users' own ratings of their rated items (version 4, after the
// titles): the levels (0: not known), then one code a rated item.
void put_given_ratings(Writer& w, const Model& m) {
  const bool known = !m.rating_levels.empty() && m.rated_codes.size() == m.rated_items.size();
  w.put<std::uint32_t>(known ? static_cast<std::uint32_t>(m.rating_levels.size()) : 0u);
  if (!known) return;
  w.put_array(m.rating_levels.data(), m.rating_levels.size());
  w.put_array(m.rated_codes.data(), m.rated_codes.size());
}

// The payload, field by field; the reader below mirrors it.
void write_payload(const Model& m, Writer& w) {
  put_options(w, m.options);

  const TrainSummary& s = m.summary;
  w.put<std::uint32_t>(s.epochs_run);
  w.put<std::uint32_t>(s.best_epoch);
  w.put<double>(s.train_objective);
  w.put<double>(s.train_rmse);
  w.put<double>(s.validation_rmse);
  w.put<double>(s.validation_mae);
  w.put<std::uint64_t>(s.validation_count);

  w.put_string(m.source);
  w.put<std::uint64_t>(m.ratings);
  w.put<std::uint64_t>(m.train_ratings);
  w.put<float>(m.rating_min);
  w.put<float>(m.rating_max);
  w.put<std::uint8_t>(m.scaler.enabled);
  w.put<double>(m.scaler.min);
  w.put<double>(m.scaler.max);

  put_names(w, m.users);
  put_names(w, m.items);
  w.put<std::uint64_t>(m.rated_items.size());
  for (std::uint32_t u = 0; u < m.users.size(); ++u)
    w.put<std::uint32_t>(static_cast<std::uint32_t>(m.rated_offsets[u + 1] - m.rated_offsets[u]));
  w.put_array(m.rated_items.data(), m.rated_items.size());
  put_item_counts(w, m);

  w.put<float>(m.mean);
  w.put_array(m.user_bias.data(), m.user_bias.size());
  w.put_array(m.item_bias.data(), m.item_bias.size());
  put_factors(w, m.user_factors);
  put_factors(w, m.item_factors);
  put_titles(w, m);
  put_given_ratings(w, m);
}

// The header: magic, version, endianness marker, payload size, checksum.
std::string header_bytes(std::uint64_t payload_size, std::uint64_t sum) {
  std::string h;
  Writer w([&h](std::string_view bytes) { h.append(bytes); });
  w.put_array(kMagic, sizeof kMagic);
  w.put<std::uint32_t>(kModelFormatVersion);
  w.put<std::uint32_t>(kEndianMarker);
  w.put<std::uint64_t>(payload_size);
  w.put<std::uint64_t>(sum);
  w.finish();
  return h;
}

// Writes the header (given its bytes once the payload is known) and the
// payload through `put`, checksumming the payload on the way.
template <class PutHeader, class PutPayload>
std::uint64_t write_model_to(const Model& m, PutHeader put_header, PutPayload put_payload) {
  Writer counter;
  write_payload(m, counter);
  const std::uint64_t size = counter.finish();
  put_header(header_bytes(size, 0));  // a placeholder, overwritten below
  Checksum sum(size);
  Writer w([&](std::string_view bytes) {
    sum.update(bytes.data(), bytes.size());
    put_payload(bytes);
  });
  write_payload(m, w);
  if (w.finish() != size) throw Error(ErrorKind::Internal, "model payload changed size while being written");
  put_header(header_bytes(size, sum.finish()));
  return kHeaderSize + size;
}

}  // namespace

std::string serialize_model(const Model& m) {
  std::string bytes;
  write_model_to(
      m, [&](const std::string& header) { bytes.replace(0, header.size(), header); },
      [&](std::string_view payload) { bytes.append(payload); });
  return bytes;
}

std::uint64_t write_model(const Model& m, AtomicFile& out) {
  bool first = true;
  return write_model_to(
      m,
      [&](const std::string& header) {
        if (first) {
          out.write(header);
          first = false;
        } else {
          out.overwrite(0, header);
        }
      },
      [&](std::string_view payload) { out.write(payload); });
}

namespace {

// Checks the header (signature, version, byte order, size, checksum) and
// returns a reader over the payload it vouches for; `version` is set.
Reader open_payload(std::string_view bytes, const std::string& name, std::uint32_t& version) {
  Reader h(bytes.data(), bytes.size(), name);
  if (bytes.size() < sizeof kMagic || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0)
    throw Error(ErrorKind::Format, name + " is not an mfrec model file (no MFRECMDL signature)");
  if (bytes.size() < kHeaderSize) h.corrupt("truncated header");
  char magic[8];
  h.get_array(magic, 8, "header");
  version = h.get<std::uint32_t>("header");
  const auto marker = h.get<std::uint32_t>("header");
  if (marker != kEndianMarker) {
    if (marker == 0x04030201u) h.corrupt("written on a machine of the other byte order");
    h.corrupt("bad byte-order marker");
  }
  if (version > kModelFormatVersion && version < 0x10000)
    throw Error(ErrorKind::Format, name + " has model format version " + std::to_string(version) +
                                       ", newer than this mfrec reads (" + std::to_string(kModelFormatVersion) +
                                       "); upgrade mfrec");
  if (version < 1 || version > kModelFormatVersion) h.corrupt("unknown format version " + std::to_string(version));
  const auto payload_size = h.get<std::uint64_t>("header");
  const auto sum = h.get<std::uint64_t>("header");
  if (payload_size != bytes.size() - kHeaderSize)
    h.corrupt(payload_size > bytes.size() - kHeaderSize ? "truncated: the file is shorter than its header says"
                                                        : "trailing bytes after the model");
  if (checksum(bytes.data() + kHeaderSize, payload_size) != sum) h.corrupt("checksum mismatch: the file is damaged");
  return Reader(bytes.data() + kHeaderSize, payload_size, name);
}

TrainSummary get_summary(Reader& r) {
  TrainSummary s;
  s.epochs_run = r.get<std::uint32_t>("summary");
  s.best_epoch = r.get<std::uint32_t>("summary");
  s.train_objective = r.get<double>("summary");
  s.train_rmse = r.get<double>("summary");
  s.validation_rmse = r.get<double>("summary");
  s.validation_mae = r.get<double>("summary");
  s.validation_count = r.get<std::uint64_t>("summary");
  return s;
}

// The source, counts, rating range and scaler.
void get_statistics(Reader& r, Model& m) {
  m.source = r.get_string("statistics");
  m.ratings = r.get<std::uint64_t>("statistics");
  m.train_ratings = r.get<std::uint64_t>("statistics");
  m.rating_min = r.get<float>("statistics");
  m.rating_max = r.get<float>("statistics");
  m.scaler.enabled = r.get<std::uint8_t>("scaler") != 0;
  m.scaler.min = r.get<double>("scaler");
  m.scaler.max = r.get<double>("scaler");
  if (!std::isfinite(m.rating_min) || !std::isfinite(m.rating_max) || m.rating_min > m.rating_max)
    r.corrupt("bad rating range");
  if (m.scaler.enabled && !(m.scaler.max > m.scaler.min)) r.corrupt("bad scaler");
}

// Which items each user rated: per-user counts, then the items, ascending
// within a user and known to the model.
void get_rated_items(Reader& r, Model& m) {
  const auto n_rated = r.get<std::uint64_t>("rated items");
  const auto counts = r.get_vector<std::uint32_t>(m.users.size(), "rated items");
  m.rated_offsets.assign(std::size_t{m.users.size()} + 1, 0);
  for (std::uint32_t u = 0; u < m.users.size(); ++u) m.rated_offsets[u + 1] = m.rated_offsets[u] + counts[u];
  if (m.rated_offsets.back() != n_rated) r.corrupt("rated-item counts do not add up");
  m.rated_items = r.get_vector<std::uint32_t>(n_rated, "rated items");
  for (std::uint32_t u = 0; u < m.users.size(); ++u)
    for (std::uint64_t p = m.rated_offsets[u]; p < m.rated_offsets[u + 1]; ++p)
      if (m.rated_items[p] >= m.items.size() || (p > m.rated_offsets[u] && m.rated_items[p] <= m.rated_items[p - 1]))
        r.corrupt("bad rated-item index");
}

// Training counts per item. A version 1 file has none: there every rated
// item counts, held-out ratings included (close, and all it knows).
void get_item_counts(Reader& r, Model& m, std::uint32_t version) {
  if (version == 1) {
    m.item_counts = m.popularity();
    return;
  }
  m.item_counts = r.get_vector<std::uint32_t>(m.items.size(), "item counts");
  // Training pairs are distinct, so no item has more than one per user.
  for (std::uint32_t c : m.item_counts)
    if (c > m.users.size()) r.corrupt("an item count above the number of users");
}

// The mean, the biases and the factors.
void get_parameters(Reader& r, Model& m) {
  m.mean = r.get<float>("mean");
  m.user_bias = r.get_vector<float>(m.users.size(), "user biases");
  m.item_bias = r.get_vector<float>(m.items.size(), "item biases");
  m.user_factors = get_factors(r, m.users.size(), m.options.factors, "user factors");
  m.item_factors = get_factors(r, m.items.size(), m.options.factors, "item factors");
}

// Item titles: none before version 4, then none or one per item.
void get_titles(Reader& r, Model& m, std::uint32_t version) {
  if (version < 4) return;
  const auto n = r.get<std::uint32_t>("item titles");
  if (n != 0 && n != m.items.size()) r.corrupt("item titles do not match the items");
  if (n > r.left() / 4) r.corrupt("truncated item titles");
  m.item_titles.reserve(n);
  for (std::uint32_t i = 0; i < n; ++i) m.item_titles.push_back(r.get_string("item titles"));
}

// The given ratings: none before version 4, then a level count (0: none),
// the levels and a code per rated item, each naming a level.
void get_given_ratings(Reader& r, Model& m, std::uint32_t version) {
  if (version < 4) return;
  const auto n = r.get<std::uint32_t>("rating levels");
  if (n == 0) return;
  if (n > 255) r.corrupt("more than 255 rating levels");
  m.rating_levels = r.get_vector<float>(n, "rating levels");
  m.rated_codes = r.get_vector<std::uint8_t>(m.rated_items.size(), "given ratings");
  for (std::uint8_t code : m.rated_codes)
    if (code >= n) r.corrupt("a given rating names no level");
}

}  // namespace

Model deserialize_model(std::string_view bytes, const std::string& name) {
  std::uint32_t version = 0;
  Reader r = open_payload(bytes, name, version);
  Model m;
  m.file_version = version;
  m.options = get_options(r, version);
  m.summary = get_summary(r);
  get_statistics(r, m);
  m.users = get_names(r, "user names");
  m.items = get_names(r, "item names");
  get_rated_items(r, m);
  get_item_counts(r, m, version);
  get_parameters(r, m);
  get_titles(r, m, version);
  get_given_ratings(r, m, version);
  if (r.left() != 0) r.corrupt("trailing bytes after the model");
  return m;
}

void save_model(const Model& model, const std::string& path) {
  AtomicFile out(path);
  write_model(model, out);
  out.commit();
}

Model load_model(const std::string& path) {
  // O_NONBLOCK: a FIFO with no writer must not hang open(); it is refused below.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) throw Error(ErrorKind::Open, "cannot open model " + path + ": " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    throw Error(ErrorKind::Open, "cannot open model " + path + ": not a regular file");
  }
  // Mapped, not read into a buffer: a query loads the model once and reads
  // it once, and on a VM whose fresh pages are expensive a 6 MB buffer's
  // page faults cost more than the query (a 10,000-item, k = 128 model:
  // 3,500 faults, most of `recommend --ratings`' time). The page cache's
  // pages are mapped as they are, a fault per 64 KiB. mfrec replaces model
  // files by rename, so the mapped file never changes under the reader.
  const auto size = static_cast<std::size_t>(st.st_size);
  if (size == 0) {
    ::close(fd);
    return deserialize_model(std::string_view(), path);
  }
  void* mapped = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  const int map_error = errno;
  ::close(fd);
  if (mapped == MAP_FAILED) throw Error(ErrorKind::Io, "cannot read model " + path + ": " + std::strerror(map_error));
  ::madvise(mapped, size, MADV_WILLNEED);
  struct Unmap {
    void* p;
    std::size_t n;
    ~Unmap() { ::munmap(p, n); }
  } unmap{mapped, size};
  return deserialize_model(std::string_view(static_cast<const char*>(mapped), size), path);
}

}  // namespace mfrec
