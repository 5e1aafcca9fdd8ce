#include "io/text_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace tfm::io {

namespace {

constexpr size_t kChunkBytes = 1u << 20;

std::runtime_error read_error(const std::string& name, const std::string& what) {
  return std::runtime_error("cannot read '" + name + "': " + what);
}

bool starts_gzip_member(const unsigned char* bytes, size_t size) {
  return size >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b;
}

}  // namespace

// Reads with read(2), which returns what a pipe holds rather than waiting for a whole buffer
// (zlib's gzread waits), so that a line typed or piped in is processed at once. gzip is
// inflated here, member after member, since files joined with cat are valid gzip too.
struct ChunkReader::Stream {
  int fd = -1;
  std::unique_ptr<unsigned char[]> raw{new unsigned char[kChunkBytes]};
  std::unique_ptr<unsigned char[]> inflated;  // gzip only
  z_stream zlib{};
  bool gzip = false;
  bool in_member = false;  // inside a gzip member: the input may not end here
  bool input_ended = false;
  uint64_t consumed = 0;   // bytes of the file taken in so far

  ~Stream() {
    if (gzip) inflateEnd(&zlib);
    if (fd >= 0) close(fd);
  }

  // Appends what the file gives (at least one byte unless it has ended) to the raw buffer.
  size_t fill(size_t have, const std::string& name) {
    for (;;) {
      const ssize_t n = ::read(fd, raw.get() + have, kChunkBytes - have);
      if (n >= 0) {
        input_ended = n == 0;
        return size_t(n);
      }
      if (errno != EINTR) throw read_error(name, std::strerror(errno));
    }
  }
};

ChunkReader::ChunkReader(std::string path) : stream_(std::make_unique<Stream>()) {
  const bool standard_input = path == kStandardInput;
  name_ = standard_input ? "standard input" : std::move(path);
  stream_->fd = standard_input ? dup(STDIN_FILENO) : open(name_.c_str(), O_RDONLY | O_CLOEXEC);
  if (stream_->fd < 0) throw read_error(name_, std::strerror(errno));
  struct stat info {};
  if (fstat(stream_->fd, &info) == 0 && S_ISREG(info.st_mode)) size_ = uint64_t(info.st_size);
}

ChunkReader::~ChunkReader() = default;

std::string_view ChunkReader::read() {
  Stream& s = *stream_;
  z_stream& z = s.zlib;
  if (!s.gzip) {
    if (s.input_ended) return {};
    size_t have = s.fill(0, name_);
    const bool first = s.consumed == 0;
    // The first bytes decide: gzip by its magic bytes, whatever the name; anything else as is.
    if (first && have == 1 && !s.input_ended) have += s.fill(1, name_);
    if (!(first && starts_gzip_member(s.raw.get(), have))) {
      s.consumed += have;
      return {reinterpret_cast<const char*>(s.raw.get()), have};
    }
    s.gzip = true;
    s.inflated.reset(new unsigned char[kChunkBytes]);
    if (inflateInit2(&z, 15 + 16) != Z_OK) throw read_error(name_, "out of memory");
    z.next_in = s.raw.get();
    z.avail_in = unsigned(have);
    s.in_member = true;
  }
  for (;;) {
    if (z.avail_in == 0 && !s.input_ended) {
      const size_t n = s.fill(0, name_);
      z.next_in = s.raw.get();
      z.avail_in = unsigned(n);
    }
    if (z.avail_in == 0) {
      if (s.in_member) throw read_error(name_, "truncated gzip stream");
      return {};
    }
    if (!s.in_member) {
      // After a member, only another member may follow.
      if (z.avail_in < 2 && !s.input_ended) {
        std::memmove(s.raw.get(), z.next_in, z.avail_in);
        const size_t have = z.avail_in + s.fill(z.avail_in, name_);
        z.next_in = s.raw.get();
        z.avail_in = unsigned(have);
      }
      if (!starts_gzip_member(z.next_in, z.avail_in))
        throw read_error(name_, "unexpected data after the end of the gzip stream");
      inflateReset(&z);
      s.in_member = true;
    }
    z.next_out = s.inflated.get();
    z.avail_out = unsigned(kChunkBytes);
    const unsigned before = z.avail_in;
    const int status = inflate(&z, Z_NO_FLUSH);
    s.consumed += before - z.avail_in;
    const bool stuck = status == Z_BUF_ERROR && before == z.avail_in && z.avail_out == kChunkBytes && before > 0;
    if (status == Z_STREAM_END) {
      s.in_member = false;
    } else if ((status != Z_OK && status != Z_BUF_ERROR) || stuck) {
      throw read_error(name_, std::string("damaged gzip stream (") + (z.msg ? z.msg : "inflate failed") + ")");
    }
    const size_t produced = kChunkBytes - z.avail_out;
    if (produced > 0) return {reinterpret_cast<const char*>(s.inflated.get()), produced};
  }
}

std::optional<double> ChunkReader::fraction_read() const {
  if (!size_ || *size_ == 0) return std::nullopt;
  return std::min(1.0, double(stream_->consumed) / double(*size_));
}

std::optional<double> LineReader::fraction_read() const {
  const std::optional<double> chunks = chunks_.fraction_read();
  if (!chunks || bytes_read_ == 0) return chunks;
  return *chunks * double(bytes_returned_) / double(bytes_read_);
}

bool LineReader::next(std::string& line) {
  line.clear();
  for (;;) {
    if (pending_.empty()) {
      if (at_end_) break;
      pending_ = chunks_.read();
      bytes_read_ += pending_.size();
      if (pending_.empty()) {
        at_end_ = true;
        break;
      }
    }
    const size_t end = pending_.find('\n');
    if (end != std::string_view::npos) {
      line.append(pending_.substr(0, end));
      pending_.remove_prefix(end + 1);
      bytes_returned_ += line.size() + 1;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      ++line_number_;
      return true;
    }
    line.append(pending_);  // the line goes on in the next chunk
    pending_ = {};
  }
  if (line.empty()) return false;  // a final '\n' ends the last line, it starts none
  bytes_returned_ += line.size();
  if (line.back() == '\r') line.pop_back();
  ++line_number_;
  return true;
}

}  // namespace tfm::io
