#include "families/file/view.h"

#include <vector>

#include "decode/decode.h"

namespace nj {

std::string normalize_path(const std::string& path) {
  std::vector<std::string> parts;
  size_t i = 0;
  while (i < path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    std::string seg = path.substr(i, j - i);
    if (seg == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!seg.empty() && seg != ".") {
      parts.push_back(std::move(seg));
    }
    i = j + 1;
  }
  std::string out;
  for (auto& p : parts) out += "/" + p;
  return out.empty() ? "/" : out;
}

std::string resolve_path(const std::string& dir, const std::string& name) {
  if (!name.empty() && name[0] == '/') return normalize_path(name);
  if (name.empty()) return normalize_path(dir);
  return normalize_path(dir + "/" + name);
}

PathPieces split_path(const std::string& path) {
  PathPieces p;
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) {
    p.name = path;
  } else {
    p.directory = slash == 0 ? "/" : path.substr(0, slash);
    p.name = path.substr(slash + 1);
  }
  const size_t dot = p.name.rfind('.');
  if (dot != std::string::npos && dot != 0 && dot + 1 < p.name.size()) p.extension = p.name.substr(dot + 1);
  return p;
}

namespace {

struct Parts {
  std::optional<std::string> walked, dir, name, dir2, name2, target, xattr;
  // Whether a part of the first path (PATH, NAME, DIR), of the second
  // (NAME2, DIR2) or the target was cut short: the path made from it is not
  // the whole path either.
  bool truncated = false, truncated2 = false, target_truncated = false;
  // Whether the walk of the first or second path's directory (or of the
  // file) was cut short: the path is then missing its top, not its end. A
  // name as passed is cut at its end only where the kernel refuses it anyway
  // (ENAMETOOLONG).
  bool cut = false, cut2 = false;
  bool disconnected = false;  // the walked file has no known path (walk_disconnected)
};

Parts collect(const Event& ev) {
  Parts p;
  for (const StrPart& s : ev.parts) {
    const bool trunc = s.flags & NJ_STR_TRUNCATED;
    switch (s.field) {
      case NJ_FF_PATH:
        if (walk_disconnected(s.data, s.flags)) {
          p.disconnected = true;
          break;
        }
        p.walked = path_from_segments(s.data);
        p.truncated |= trunc;
        p.cut |= trunc;
        break;
      case NJ_FF_DIR:
        // A directory cut short (the walk's depth or size) yields a wrong
        // absolute path for the name below it: flagged like a cut name.
        p.dir = path_from_segments(s.data);
        p.truncated |= trunc;
        p.cut |= trunc;
        break;
      case NJ_FF_NAME:
        p.name = s.data;
        p.truncated |= trunc;
        break;
      case NJ_FF_DIR2:
        p.dir2 = path_from_segments(s.data);
        p.truncated2 |= trunc;
        p.cut2 |= trunc;
        break;
      case NJ_FF_NAME2:
        p.name2 = s.data;
        p.truncated2 |= trunc;
        break;
      case NJ_FF_TARGET:
        p.target = s.data;
        p.target_truncated |= trunc;
        break;
      case NJ_FF_XATTR: p.xattr = s.data; break;
      default: break;
    }
  }
  return p;
}

FilePath from_name(const std::string& name, const std::optional<std::string>& dir, const std::string& cwd) {
  FilePath f;
  f.as_passed = name;
  if (!name.empty() && name[0] == '/') f.path = normalize_path(name);
  else if (dir) f.path = resolve_path(*dir, name);
  else if (!cwd.empty()) f.path = resolve_path(cwd, name);
  else f.unresolved = true;
  return f;
}

}  // namespace

FileView make_file_view(uint16_t type, const nj_file_op& op, const Event& ev, const std::string& cwd) {
  FileView v;
  v.type = type;
  v.op = op;
  Parts p = collect(ev);
  if (p.walked) {
    v.object.path = *p.walked;
    // A name as passed is only sent when there is no open file to walk.
  } else if (p.name && op.syscall == NJ_SYS_MEMFD_CREATE) {
    // A refused memfd_create: the name is the memfd's, not a path relative
    // to the cwd; named as the kernel names a memfd's dentry.
    v.object.path = "/memfd:" + *p.name;
    v.object.as_passed = *p.name;
  } else if (p.name) {
    v.object = from_name(*p.name, p.dir, cwd);
  } else if (type != NJ_REC_FILE_URING) {
    v.object.unresolved = true;
  }
  v.object.disconnected = p.disconnected;
  v.object.truncated = p.truncated;
  if (type == NJ_REC_FILE_RENAME) {
    // The object moved: its new path is file.path, the old one original.
    if (p.name2) {
      v.original = v.object;
      v.object = from_name(*p.name2, p.dir2, cwd);
      v.object.truncated = p.truncated2;
    }
  } else if (p.name2) {
    v.target = from_name(*p.name2, p.dir2, cwd);  // link: the existing file
    v.target->truncated = p.truncated2;
  } else if (p.target) {
    FilePath t;
    t.path = *p.target;  // a symlink's target is kept as written
    t.as_passed = *p.target;
    t.truncated = p.target_truncated;
    v.target = t;
  }
  v.xattr = p.xattr;
  if (op.flags & NJ_FILE_IO_URING) {
    // The names came from the kernel's dentries, not from the caller.
    v.object.as_passed.clear();
    if (v.original) v.original->as_passed.clear();
    if (v.target && !p.target) v.target->as_passed.clear();
  }
  // A path missing its top is shown as the tail it is.
  auto mark = [](FilePath* f, bool cut) {
    if (f && cut && !f->path.empty()) f->path = cut_path(f->path);
  };
  if (type == NJ_REC_FILE_RENAME && v.original) {
    mark(&*v.original, p.cut);
    mark(&v.object, p.cut2);
  } else {
    mark(&v.object, p.cut);
    if (v.target && !p.target) mark(&*v.target, p.cut2);
  }
  return v;
}

}  // namespace nj
