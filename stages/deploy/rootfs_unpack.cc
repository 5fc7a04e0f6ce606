#include "stages/deploy/rootfs_unpack.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "stages/core/fd_io.h"
#include "stages/oci/layer_reader.h"

namespace dso {
namespace {

constexpr char kWhiteoutPrefix[] = ".wh.";
constexpr char kOpaqueMarker[] = ".wh..wh..opq";

absl::Status Errno(const std::string& what) {
  return absl::InternalError(absl::StrCat(what, ": ", strerror(errno)));
}

class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  Fd(Fd&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  Fd& operator=(Fd&& o) noexcept {
    std::swap(fd_, o.fd_);
    return *this;
  }
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

// Opens `rel` (a relative path, "" for the root itself) beneath `root`
// without following any symbolic link.
int OpenBeneath(int root, const std::string& rel, uint64_t flags) {
  open_how how{};
  how.flags = flags | O_CLOEXEC | O_NOFOLLOW;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
  return static_cast<int>(syscall(
      SYS_openat2, root, rel.empty() ? "." : rel.c_str(), &how, sizeof(how)));
}

// Removes `name` in `dir`, a directory with everything below it.
absl::Status RemoveAt(int dir, const char* name) {
  struct stat st;
  if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
    return errno == ENOENT ? absl::OkStatus() : Errno(name);
  }
  if (!S_ISDIR(st.st_mode)) {
    return unlinkat(dir, name, 0) == 0 ? absl::OkStatus() : Errno(name);
  }
  int fd = openat(dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return Errno(name);
  DIR* d = fdopendir(fd);
  if (d == nullptr) {
    close(fd);
    return Errno(name);
  }
  absl::Status status;
  while (dirent* e = readdir(d)) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    status.Update(RemoveAt(dirfd(d), e->d_name));
  }
  closedir(d);
  if (!status.ok()) return status;
  return unlinkat(dir, name, AT_REMOVEDIR) == 0 ? absl::OkStatus()
                                                : Errno(name);
}

class Unpacker {
 public:
  Unpacker(int root, const UnpackOptions& options, UnpackResult& result)
      : root_(root), options_(options), result_(result) {}

  void StartLayer() { this_layer_.clear(); }

  absl::Status Entry(const LayerEntryInfo& e, const LayerDataFn& data) {
    if (++entries_ > options_.max_entries) {
      return absl::ResourceExhaustedError(absl::StrCat(
          "the image has more than ", options_.max_entries, " entries"));
    }
    if (!Included(e.path)) return absl::OkStatus();
    std::string parent, name = e.path;
    if (size_t slash = e.path.rfind('/'); slash != std::string::npos) {
      parent = e.path.substr(0, slash);
      name = e.path.substr(slash + 1);
    }
    if (absl::StartsWith(name, kWhiteoutPrefix)) {
      return Whiteout(parent, name);
    }
    Fd dir(MakeDirs(parent));
    if (dir.get() < 0) return Skip(e.path, "its directory is not one");
    this_layer_.insert(e.path);
    uint32_t mode = e.mode & 01777;  // no setuid, no setgid
    switch (e.type) {
      case LayerEntryInfo::Type::kDirectory: {
        struct stat st;
        if (fstatat(dir.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 &&
            !S_ISDIR(st.st_mode)) {
          if (auto s = RemoveAt(dir.get(), name.c_str()); !s.ok()) return s;
        }
        if (mkdirat(dir.get(), name.c_str(), 0700) != 0 && errno != EEXIST) {
          return Errno("creating " + e.path);
        }
        Fd d(OpenBeneath(dir.get(), name, O_RDONLY | O_DIRECTORY));
        if (d.get() < 0 || fchmod(d.get(), mode | 0700) != 0) {
          return Errno("creating " + e.path);
        }
        return absl::OkStatus();
      }
      case LayerEntryInfo::Type::kFile:
        return File(dir.get(), name, e, mode, data);
      case LayerEntryInfo::Type::kSymlink:
        if (auto s = RemoveAt(dir.get(), name.c_str()); !s.ok()) return s;
        if (symlinkat(e.link.c_str(), dir.get(), name.c_str()) != 0) {
          return Errno("linking " + e.path);
        }
        return absl::OkStatus();
      case LayerEntryInfo::Type::kHardlink:
        return HardLink(dir.get(), name, e);
      default:
        return Skip(e.path, "device and special files are not created");
    }
  }

 private:
  bool Included(const std::string& path) const {
    if (options_.include.empty()) return true;
    for (std::string inc : options_.include) {
      while (!inc.empty() && inc[0] == '/') inc.erase(0, 1);
      if (path == inc || absl::StartsWith(path, inc + "/") ||
          absl::StartsWith(inc, path + "/")) {
        return true;
      }
    }
    return false;
  }

  absl::Status Skip(const std::string& path, const std::string& why) {
    if (result_.skipped.size() < 100) {
      result_.skipped.push_back(absl::StrCat(path, ": ", why));
    }
    return absl::OkStatus();
  }

  // Opens (creating as needed) the directory `rel` beneath the root; -1
  // when a component is not a directory.
  int MakeDirs(const std::string& rel) {
    int fd = OpenBeneath(root_, rel, O_RDONLY | O_DIRECTORY);
    if (fd >= 0 || rel.empty() || errno != ENOENT) return fd;
    size_t slash = rel.rfind('/');
    Fd parent(MakeDirs(slash == std::string::npos ? "" : rel.substr(0, slash)));
    if (parent.get() < 0) return -1;
    std::string name = slash == std::string::npos ? rel : rel.substr(slash + 1);
    if (mkdirat(parent.get(), name.c_str(), 0755) != 0 && errno != EEXIST) {
      return -1;
    }
    return OpenBeneath(parent.get(), name, O_RDONLY | O_DIRECTORY);
  }

  absl::Status File(int dir, const std::string& name, const LayerEntryInfo& e,
                    uint32_t mode, const LayerDataFn& data) {
    if (auto s = RemoveAt(dir, name.c_str()); !s.ok()) return s;
    Fd out(openat(dir, name.c_str(),
                  O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (out.get() < 0) return Errno("creating " + e.path);
    char buf[1 << 16];
    std::string error;
    for (;;) {
      ssize_t n = data(buf, sizeof(buf), &error);
      if (n < 0) {
        return absl::DataLossError(
            absl::StrCat("reading ", e.path, " from its layer: ", error));
      }
      if (n == 0) break;
      result_.bytes += n;
      if (result_.bytes > options_.max_bytes) {
        return absl::ResourceExhaustedError(absl::StrCat(
            "the image unpacks to more than ", options_.max_bytes, " bytes"));
      }
      if (!WriteAll(out.get(), absl::string_view(buf, n))) {
        return Errno("writing " + e.path);
      }
    }
    if (fchmod(out.get(), mode) != 0) return Errno("chmod " + e.path);
    ++result_.files;
    return absl::OkStatus();
  }

  absl::Status HardLink(int dir, const std::string& name,
                        const LayerEntryInfo& e) {
    size_t slash = e.link.rfind('/');
    Fd target_dir(OpenBeneath(
        root_, slash == std::string::npos ? "" : e.link.substr(0, slash),
        O_RDONLY | O_DIRECTORY));
    std::string target_name =
        slash == std::string::npos ? e.link : e.link.substr(slash + 1);
    if (target_dir.get() < 0) return Skip(e.path, "its link target is missing");
    if (auto s = RemoveAt(dir, name.c_str()); !s.ok()) return s;
    if (linkat(target_dir.get(), target_name.c_str(), dir, name.c_str(), 0)) {
      return Skip(e.path, absl::StrCat("cannot link to ", e.link, ": ",
                                       strerror(errno)));
    }
    ++result_.files;
    return absl::OkStatus();
  }

  absl::Status Whiteout(const std::string& parent, const std::string& name) {
    Fd dir(OpenBeneath(root_, parent, O_RDONLY | O_DIRECTORY));
    if (dir.get() < 0) return absl::OkStatus();  // nothing below to hide
    if (name != kOpaqueMarker) {
      return RemoveAt(dir.get(), name.substr(strlen(kWhiteoutPrefix)).c_str());
    }
    // Empty the directory of what lower layers put there.
    int copy = dup(dir.get());
    DIR* d = copy >= 0 ? fdopendir(copy) : nullptr;
    if (d == nullptr) {
      if (copy >= 0) close(copy);
      return Errno("reading " + parent);
    }
    std::vector<std::string> lower;
    while (dirent* e = readdir(d)) {
      std::string child = parent.empty() ? e->d_name : parent + "/" + e->d_name;
      if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") &&
          !this_layer_.count(child)) {
        lower.push_back(e->d_name);
      }
    }
    closedir(d);  // closes `copy`
    for (const std::string& child : lower) {
      if (auto s = RemoveAt(dir.get(), child.c_str()); !s.ok()) return s;
    }
    return absl::OkStatus();
  }

  int root_;
  const UnpackOptions& options_;
  UnpackResult& result_;
  uint64_t entries_ = 0;
  std::set<std::string> this_layer_;
};

}  // namespace

absl::StatusOr<UnpackResult> UnpackLayers(const std::vector<BlobRef>& layers,
                                          const std::string& root,
                                          const UnpackOptions& options) {
  Fd root_fd(open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (root_fd.get() < 0) return Errno("opening " + root);
  UnpackResult result;
  Unpacker unpacker(root_fd.get(), options, result);
  LayerLimits limits;
  limits.max_bytes = options.max_bytes;
  limits.max_entries = options.max_entries;
  for (size_t i = 0; i < layers.size(); ++i) {
    unpacker.StartLayer();
    std::vector<LayerProblem> problems;
    std::string name =
        absl::StrCat("layer ", i + 1, " (", layers[i].digest, ")");
    absl::Status s = ReadLayer(
        layers[i].path, name, limits,
        [&](const LayerEntryInfo& e, const LayerDataFn& data) {
          return unpacker.Entry(e, data);
        },
        &problems, layers[i].digest);
    if (!s.ok()) return s;
    for (const LayerProblem& p : problems) {
      if (p.kind == LayerProblem::Kind::kTooLarge) {  // a partial tree: no
        return absl::ResourceExhaustedError(absl::StrCat(name, ": ", p.detail));
      }
      if (result.skipped.size() < 100) {
        result.skipped.push_back(absl::StrCat(p.path, ": ", p.detail));
      }
    }
  }
  return result;
}

}  // namespace dso
