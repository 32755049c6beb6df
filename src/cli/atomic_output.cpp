#include "atomic_output.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <iterator>

#include "ctxpack/pack/tar_writer.h"
#include "ctxpack/support/error.h"

namespace ctxpack::cli {

namespace {

// The temporary file a signal must remove; set while an AtomicOutput
// lives (one at a time).
std::atomic<const char*> pending_output{nullptr};
constexpr int kCleanupSignals[] = {SIGINT, SIGTERM, SIGHUP};
struct sigaction saved_actions[std::size(kCleanupSignals)];

extern "C" void remove_pending_output(int sig) {
  if (const char* path = pending_output.load()) ::unlink(path);
  // Die of the signal, as the caller expects.
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

}  // namespace

AtomicOutput::AtomicOutput(const std::string& path) : path_(path) {
  struct stat st;
  if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) throw Error("output " + path + " is a directory");
  temp_ = path + ".ctxpack-XXXXXX";
  fd_ = ::mkostemp(temp_.data(), O_CLOEXEC);
  if (fd_ < 0) throw_errno("cannot create", path, errno);
  // mkstemp makes it 0600; give it the mode any new file gets.
  mode_t mask = ::umask(0);
  ::umask(mask);
  ::fchmod(fd_, 0666 & ~mask);
  pending_output.store(temp_.c_str());
  struct sigaction action {};
  action.sa_handler = remove_pending_output;
  sigemptyset(&action.sa_mask);
  for (size_t i = 0; i < std::size(kCleanupSignals); ++i) {
    ::sigaction(kCleanupSignals[i], &action, &saved_actions[i]);
  }
}

AtomicOutput::~AtomicOutput() {
  if (fd_ >= 0) {
    ::close(fd_);
    ::unlink(temp_.c_str());
  }
  pending_output.store(nullptr);
  for (size_t i = 0; i < std::size(kCleanupSignals); ++i) ::sigaction(kCleanupSignals[i], &saved_actions[i], nullptr);
}

void AtomicOutput::commit() {
  // On disk before the rename, so a crash cannot leave an empty file
  // under the final name.
  if (::fsync(fd_) != 0) throw WriteError(errno);
  if (::close(fd_) != 0) {
    fd_ = -1;
    ::unlink(temp_.c_str());
    throw WriteError(errno);
  }
  fd_ = -1;
  if (::rename(temp_.c_str(), path_.c_str()) != 0) {
    int err = errno;
    ::unlink(temp_.c_str());
    throw_errno("cannot rename the output to", path_, err);
  }
  pending_output.store(nullptr);
  size_t slash = path_.rfind('/');
  std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path_.substr(0, slash);
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

}  // namespace ctxpack::cli
