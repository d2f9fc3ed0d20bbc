#include "families/file/tracker.h"

#include <unistd.h>

#include <algorithm>
#include <variant>

#include "families/file/view.h"
#include "util/files.h"

namespace nj {

FileTracker::FileTracker(const TrackerContext& ctx) : proc_root_(ctx.proc_root), users_(ctx.users) {
  reconfigure(ctx.families);
}

void FileTracker::reconfigure(const FamilyOptions& o) {
  opts_ = o.file;
  rules_ = o.file.rules ? o.file.rules : std::make_shared<const FileRules>(default_file_rules());
}

void FileTracker::track(const Event& ev, Enrichment& en, uint64_t now_ns) {
  std::visit(
      [&](const auto& r) {
        if constexpr (requires { r.op.obj; }) on(r.hdr.type, r.op, ev, en, now_ns);
      },
      ev.main);
}

bool FileTracker::on_excluded_fs(const nj_file_op& op, const std::string& path, uint64_t now_ns) {
  const auto& fs = rules_->excluded_fs;
  if (fs.empty()) return false;
  if (op.flags & NJ_FILE_OBJ_KNOWN) {
    const auto& magic = rules_->excluded_magic;
    return std::find(magic.begin(), magic.end(), op.obj.fs_magic) != magic.end();
  }
  if (path.empty()) return false;
  // Mounts change rarely; read again every few seconds, not per event.
  if (mounts_read_ns_ == 0 || now_ns - mounts_read_ns_ > 5'000'000'000ull) {
    if (auto text = read_file(proc_root_ + "/self/mountinfo")) mounts_ = MountTable::parse(*text);
    mounts_read_ns_ = now_ns ? now_ns : 1;
  }
  const std::string& type = mounts_.fs_type(path);
  return !type.empty() && std::find(fs.begin(), fs.end(), type) != fs.end();
}

void FileTracker::on(uint16_t type, const nj_file_op& op, const Event& ev, Enrichment& en, uint64_t now_ns) {
  FileView& v = en.view.emplace<FileView>(make_file_view(type, op, ev, ""));
  if (v.object.unresolved && !v.object.as_passed.empty()) {
    // The kernel could not walk the directory: the process's cwd now is
    // the best left (flagged: it may have moved since).
    char buf[4096];
    const std::string link = proc_root_ + "/" + std::to_string(op.task.pid) + "/cwd";
    const ssize_t n = ::readlink(link.c_str(), buf, sizeof(buf));
    if (n > 0) v.object.path = resolve_path(std::string(buf, static_cast<size_t>(n)), v.object.as_passed);
  }
  if (v.object.disconnected && op.rule && (op.flags & NJ_FILE_OBJ_KNOWN) && opts_.watched_path) {
    // The kernel matched the file by its identity; the rule watches it
    // under a name.
    if (auto p = opts_.watched_path(op.rule, op.obj.dev, op.obj.ino)) v.object.path = *p;
  }
  RuleMatch m = match_rules(*rules_, v.object.path);
  if (v.original) {
    RuleMatch o = match_rules(*rules_, v.original->path);
    merge_tags(m.tags, o.tags);
    m.excluded = m.excluded && o.excluded;  // a file moved into or out of view is seen
  }
  if (const FileRule* k = rule_by_number(*rules_, op.rule)) merge_tags(m.tags, k->tags);
  // A path a rule tags or the kernel matched is reported on any filesystem.
  if (!m.excluded && !op.rule && m.tags.empty() && type != NJ_REC_FILE_URING)
    m.excluded = on_excluded_fs(op, v.object.path, now_ns);
  if (m.excluded && !op.rule) {
    excluded_++;
    en.drop = true;
    return;
  }
  v.tags = std::move(m.tags);
  if (type == NJ_REC_FILE_CHOWN && users_) {
    if (static_cast<uint32_t>(op.args[0]) != UINT32_MAX)
      v.new_user = users_->user_name(static_cast<uint32_t>(op.args[0]));
    if (static_cast<uint32_t>(op.args[1]) != UINT32_MAX)
      v.new_group = users_->group_name(static_cast<uint32_t>(op.args[1]));
  }
  // A watched file or directory that did not exist when the rules were
  // resolved: the kernel learns its identity now.
  const bool appeared = op.retval >= 0 && (type == NJ_REC_FILE_CREATE || type == NJ_REC_FILE_RENAME);
  if (appeared && opts_.watch && !v.object.path.empty())
    if (auto w = watch_for(*rules_, v.object.path)) {
      opts_.watch(*w);
      watches_added_++;
    }
}

void FileTracker::add_stats(EnricherStats& s) const {
  s.file_excluded += excluded_;
  s.file_watches_added += watches_added_;
}

}  // namespace nj
