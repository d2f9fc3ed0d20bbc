#include "enrich/enricher.h"

#include <string_view>

#include <chrono>
#include <variant>

#include "families/trackers.h"
#include "util/host.h"

namespace nj {

Enricher::Enricher(EnricherOptions opts)
    : opts_(std::move(opts)),
      table_(opts_.table),
      users_(UserDbOptions{opts_.passwd, opts_.group, std::chrono::seconds(1), {}}),
      hasher_(HasherOptions{opts_.hash_cache_entries, opts_.hash_max_bytes}),
      cgroups_(opts_.cgroup_cache_entries, opts_.proc_root, opts_.cgroup_root),
      trackers_(make_trackers(
          TrackerContext{table_, opts_.proc_root, opts_.clock_ticks, opts_.fold_window_ns, opts_.families, &users_})) {
  if (opts_.hash) worker_ = std::thread([this] { hasher_loop(); });
}

Enricher::~Enricher() {
  {
    std::lock_guard<std::mutex> lk(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (worker_.joinable()) worker_.join();
}

ProcKey Enricher::key_of(uint32_t pid, uint64_t start_ns) const {
  return ProcKey{pid, ns_to_ticks(start_ns, opts_.clock_ticks)};
}

void Enricher::seed() {
  for (auto& t : trackers_) t->seed();
}

void Enricher::reconfigure(const FamilyOptions& f) {
  opts_.families = f;
  for (auto& t : trackers_) t->reconfigure(f);
}

void Enricher::names(Enrichment& en, const nj_task& t) {
  en.user = users_.user_name(t.euid);
  en.real_user = users_.user_name(t.uid);
  en.group = users_.group_name(t.egid);
  en.real_group = users_.group_name(t.gid);
}

void Enricher::cgroup(Enrichment& en, const nj_task& t, uint64_t event_ns) {
  auto info = cgroups_.lookup(t.cgroup_id, static_cast<pid_t>(t.pid), event_ns);
  if (!info) return;
  en.container = std::move(info->container);
  en.systemd_unit = std::move(info->unit);
}

// What every event with a task gets, whatever its family.
void Enricher::enrich_task(const nj_task& t, uint64_t event_ns, Enrichment& en) {
  const ProcKey self = en.subject.self.value_or(key_of(t.pid, t.start_ns));
  const ProcKey parent = en.subject.parent.value_or(key_of(t.ppid, t.parent_start_ns));
  en.parent = table_.snapshot(parent);
  if (en.parent) en.seeded_parent = en.parent->from_procfs;
  en.self = table_.snapshot(self);
  if (en.subject.ancestry || opts_.ancestry_on_every_event) en.ancestors = table_.ancestors(self, opts_.ancestry_depth);
  names(en, t);
  cgroup(en, t, event_ns);
}

void Enricher::submit(Event&& ev, uint64_t now_ns, const Out& out) {
  Enrichment en;
  for (auto& t : trackers_) t->track(ev, en, now_ns);
  if (en.drop) return;
  std::visit(
      [&](const auto& r) {
        // A family may keep its task inside a shared body (the file family's op).
        if constexpr (requires { r.task; }) enrich_task(r.task, r.hdr.ts_ns, en);
        else if constexpr (requires { r.op.task; }) enrich_task(r.op.task, r.hdr.ts_ns, en);
      },
      ev.main);
  if (en.absorb) take_in(*en.absorb, en);
  if (en.hold) {
    const Hold hold = *en.hold;
    held_.push_back(Held{EnrichedEvent{std::move(ev), std::move(en)}, 0, 0, hold, false});
    while (held_.size() > opts_.held_max) release_front(out, "queue-full");
    return;
  }
  std::optional<HashRequest> req = std::move(en.hash_request);
  en.hash_request.reset();
  if (!opts_.hash || !req) {
    ready(EnrichedEvent{std::move(ev), std::move(en)}, out);
    return;
  }
  hash_or_out(EnrichedEvent{std::move(ev), std::move(en)}, *req, now_ns, out);
}

// From the cache when it can, else parked for the worker.
void Enricher::hash_or_out(EnrichedEvent&& e, const HashRequest& req, uint64_t now_ns, const Out& out) {
  if (auto cached = hasher_.cached_executable(req.proc_exe, req.path, req.id)) {
    e.en.sha256 = cached->sha256;
    e.en.hash_reason = cached->reason;
    ready(std::move(e), out);
    return;
  }
  if (waiting_.size() >= opts_.parked_max) {
    hash_queue_full_++;
    e.en.hash_reason = "queue-full";
    ready(std::move(e), out);
    return;
  }
  {
    std::lock_guard<std::mutex> lk(mu_);
    jobs_.push_back(HashJob{next_job_, req});
  }
  cv_.notify_one();
  held_.push_back(Held{std::move(e), next_job_, now_ns + opts_.hash_wait_ns, std::nullopt, false});
  waiting_.emplace(next_job_++, &held_.back());
}

void Enricher::ready(EnrichedEvent&& e, const Out& out) {
  if (held_.empty()) {
    out(std::move(e));
    return;
  }
  held_.push_back(Held{std::move(e), 0, 0, std::nullopt, false});
  // Bounded: past held_max the oldest leaves, without its hash if it has
  // none yet.
  while (held_.size() > opts_.held_max) release_front(out, "queue-full");
}

// Held events of `key` that no one took in yet become part of `en`.
void Enricher::take_in(uint64_t key, Enrichment& en) {
  for (Held& h : held_)
    if (!h.gone && h.hold && h.hold->key == key) {
      en.absorbed.push_back(std::move(h.e.ev));
      h.gone = true;
    }
}

// The front event leaves; if it still waits for its hash, without it.
void Enricher::release_front(const Out& out, const char* reason) {
  Held& h = held_.front();
  if (h.gone) {
    held_.pop_front();
    return;
  }
  if (h.job) {
    waiting_.erase(h.job);
    if (std::string_view(reason) == "timeout") hash_timeouts_++;
    else hash_queue_full_++;
    h.e.en.hash_reason = reason;
  }
  out(std::move(h.e));
  held_.pop_front();
}

void Enricher::hasher_loop() {
  for (;;) {
    HashJob job;
    {
      std::unique_lock<std::mutex> lk(mu_);
      cv_.wait(lk, [&] { return stopping_ || !jobs_.empty(); });
      if (stopping_) return;
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    HashResult res = hasher_.hash_executable(job.req.proc_exe, job.req.path, job.req.id);
    std::lock_guard<std::mutex> lk(mu_);
    done_.emplace_back(job.id, std::move(res));
  }
}

void Enricher::release_ready(uint64_t now_ns, const Out& out, bool all) {
  std::deque<std::pair<uint64_t, HashResult>> done;
  {
    std::lock_guard<std::mutex> lk(mu_);
    done.swap(done_);
  }
  for (auto& [id, res] : done) {
    auto it = waiting_.find(id);
    if (it == waiting_.end()) continue;  // already released on timeout
    Held& h = *it->second;
    h.e.en.sha256 = res.sha256;
    h.e.en.hash_reason = res.reason;
    h.job = 0;
    waiting_.erase(it);
  }
  while (!held_.empty()) {
    Held& h = held_.front();
    if (!all && !h.gone && h.job && now_ns < h.deadline_ns) break;
    if (!all && !h.gone && h.hold && now_ns < h.hold->until_ns) break;
    release_front(out, "timeout");
  }
}

void Enricher::poll(uint64_t now_ns, const Out& out) {
  release_ready(now_ns, out, false);
  for (auto& t : trackers_) t->poll(now_ns);
}

void Enricher::flush(const Out& out) {
  // Give pending hashes their wait, then release whatever is left.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::nanoseconds(opts_.hash_wait_ns);
  while (!waiting_.empty() && std::chrono::steady_clock::now() < deadline) {
    release_ready(0, out, false);
    if (!waiting_.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  release_ready(0, out, true);
}

EnricherStats Enricher::stats() {
  EnricherStats s;
  for (auto& t : trackers_) t->add_stats(s);
  s.hasher = hasher_.stats();
  s.users_reloads = users_.stats().reloads;
  s.cgroup_cache_size = cgroups_.size();
  s.cgroup_cache_hits = cgroups_.hits();
  s.cgroup_cache_misses = cgroups_.misses();
  s.cgroup_cache_evictions = cgroups_.evictions();
  s.parked = waiting_.size();
  s.hash_timeouts = hash_timeouts_;
  s.hash_queue_full = hash_queue_full_;
  return s;
}

}  // namespace nj
