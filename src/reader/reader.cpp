#include "reader/reader.h"

#include "decode/decode.h"

#include <bpf/libbpf.h>
#include <linux/perf_event.h>

#include <cerrno>
#include <chrono>
#include <memory>

namespace nj {

namespace {

class RingReader final : public Reader {
 public:
  explicit RingReader(RecordFn fn) : fn_(std::move(fn)) {}
  Result<void> init(int map_fd) {
    rb_.reset(ring_buffer__new(map_fd, &RingReader::on_sample, this, nullptr));
    if (!rb_) return os_error(errno, "creating the ring buffer reader");
    return {};
  }
  Result<int> poll(int timeout_ms) override {
    budget_ = kSamplesPerCall;
    deadline_ = {};
    int n = ring_buffer__poll(rb_.get(), timeout_ms);
    if (n == kBudgetSpent) return kSamplesPerCall - budget_;
    if (n == -EINTR) return 0;
    if (n < 0) return os_error(n, "polling the ring buffer");
    // Records submitted without a wake-up (below the threshold) do not
    // make epoll return: read them on the timer (with what is left of the
    // budget).
    int m = ring_buffer__consume(rb_.get());
    if (m == kBudgetSpent) return kSamplesPerCall - budget_;
    if (m < 0) return os_error(m, "draining the ring buffer");
    return n + m;
  }
  Result<int> drain() override {
    int total = 0;
    for (;;) {
      budget_ = kSamplesPerCall;
      deadline_ = {};
      int n = ring_buffer__consume(rb_.get());
      if (n == kBudgetSpent) {
        total += kSamplesPerCall - budget_;
        continue;
      }
      if (n < 0) return os_error(n, "draining the ring buffer");
      return total + n;
    }
  }
  uint64_t transport_lost() const override { return 0; }

 private:
  // libbpf keeps consuming for as long as producers keep adding, so under
  // a sustained overload one poll would never return and the caller's
  // once-a-second duties (loss reports, health) would starve. A negative
  // return stops it after the sample in hand, which is already consumed.
  // The budget is in samples and in time (from the first clock read, so
  // waiting in epoll does not count): on a slow machine (a VM under
  // emulation) 16384 samples took seconds, and the loss they stood for was
  // reported only once the overload was over.
  static constexpr int kSamplesPerCall = 16384;
  static constexpr int kSamplesPerClockRead = 256;
  static constexpr std::chrono::milliseconds kTimePerCall{200};
  static constexpr int kBudgetSpent = -EDQUOT;
  static int on_sample(void* ctx, void* data, size_t size) {
    auto* self = static_cast<RingReader*>(ctx);
    for_each_record(static_cast<const uint8_t*>(data), size, self->fn_);
    if (--self->budget_ <= 0) return kBudgetSpent;
    if (self->budget_ % kSamplesPerClockRead == 0) {
      const auto now = std::chrono::steady_clock::now();
      if (self->deadline_ == std::chrono::steady_clock::time_point{}) self->deadline_ = now + kTimePerCall;
      else if (now >= self->deadline_) return kBudgetSpent;
    }
    return 0;
  }
  std::chrono::steady_clock::time_point deadline_{};
  RecordFn fn_;
  std::unique_ptr<ring_buffer, decltype(&ring_buffer__free)> rb_{nullptr, &ring_buffer__free};
  int budget_ = kSamplesPerCall;
};

class PerfReader final : public Reader {
 public:
  explicit PerfReader(RecordFn fn) : fn_(std::move(fn)) {}
  Result<void> init(int map_fd, uint32_t pages, uint32_t wakeup_bytes) {
    struct perf_event_attr attr = {};
    attr.type = PERF_TYPE_SOFTWARE;
    attr.config = PERF_COUNT_SW_BPF_OUTPUT;
    attr.sample_type = PERF_SAMPLE_RAW;
    attr.size = sizeof(attr);
    // Same trade-off as the ring buffer: a wake-up per sample is costly
    // inside the traced syscall; a watermark batches them and the reader
    // also polls on a timer.
    const uint64_t half = static_cast<uint64_t>(pages) * 4096 / 2;
    if (wakeup_bytes == 0) {
      attr.wakeup_events = 1;
    } else {
      attr.watermark = 1;
      attr.wakeup_watermark = static_cast<uint32_t>(wakeup_bytes < half ? wakeup_bytes : half);
    }
    struct perf_buffer_raw_opts opts = {};
    opts.sz = sizeof(opts);
    pb_.reset(perf_buffer__new_raw(map_fd, pages, &attr, &PerfReader::on_event, this, &opts));
    if (!pb_) return os_error(errno, "creating the perf buffer reader");
    return {};
  }
  Result<int> poll(int timeout_ms) override {
    int n = perf_buffer__poll(pb_.get(), timeout_ms);
    // Interrupted or not, the pass reads every buffer to its end: the
    // reorderer counts on it (src/order/reorderer.h).
    if (n == -EINTR) n = 0;
    if (n < 0) return os_error(n, "polling the perf buffers");
    // With a watermark, poll only returns once a buffer passed it; read
    // whatever the other CPUs hold too.
    int m = perf_buffer__consume(pb_.get());
    if (m < 0) return os_error(m, "draining the perf buffers");
    return n + m;
  }
  Result<int> drain() override {
    int n = perf_buffer__consume(pb_.get());
    if (n < 0) return os_error(n, "draining the perf buffers");
    return n;
  }
  uint64_t transport_lost() const override { return lost_; }

 private:
  static enum bpf_perf_event_ret on_event(void* ctx, int /*cpu*/, struct perf_event_header* ev) {
    auto* self = static_cast<PerfReader*>(ctx);
    if (ev->type == PERF_RECORD_SAMPLE) {
      struct sample {
        struct perf_event_header header;
        uint32_t size;
        uint8_t data[];
      };
      auto* s = reinterpret_cast<struct sample*>(ev);
      for_each_record(s->data, s->size, self->fn_);
    } else if (ev->type == PERF_RECORD_LOST) {
      struct lost {
        struct perf_event_header header;
        uint64_t id;
        uint64_t lost;
      };
      self->lost_ += reinterpret_cast<struct lost*>(ev)->lost;
    }
    return LIBBPF_PERF_EVENT_CONT;
  }
  RecordFn fn_;
  std::unique_ptr<perf_buffer, decltype(&perf_buffer__free)> pb_{nullptr, &perf_buffer__free};
  uint64_t lost_ = 0;
};

}  // namespace

Result<std::unique_ptr<Reader>> make_reader(const Sensor& sensor, RecordFn fn) {
  if (sensor.transport() == Transport::ringbuf) {
    auto r = std::make_unique<RingReader>(std::move(fn));
    if (auto e = r->init(sensor.ringbuf_fd()); !e) return e.error();
    return std::unique_ptr<Reader>(std::move(r));
  }
  auto r = std::make_unique<PerfReader>(std::move(fn));
  if (auto e = r->init(sensor.perf_fd(), sensor.config().perf_pages, sensor.config().wakeup_bytes); !e)
    return e.error();
  return std::unique_ptr<Reader>(std::move(r));
}

}  // namespace nj
