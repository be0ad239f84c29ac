#include "symbolizer.hpp"

#include "libc_originals.hpp"

#include <cxxabi.h>
#include <dlfcn.h>
#include <unistd.h>

#include <cstdlib>
#include <mutex>
#include <string>

// Symbols from the binary's debug info (libbacktrace, which GCC ships),
// header-only: nothing to install beside the listener.
#define BOOST_STACKTRACE_USE_BACKTRACE
#include <boost/stacktrace/frame.hpp>

#if __has_include(<elfutils/libdwfl.h>)
#include <elfutils/libdwfl.h>
#define PROCLEAK_HAVE_LIBDW 1
#endif

namespace procleak::spawn_sites {
namespace {

SpawnFrame through_libbacktrace(std::uintptr_t pc) {
  const boost::stacktrace::frame f(reinterpret_cast<boost::stacktrace::frame::native_frame_ptr_t>(pc));
  SpawnFrame frame;
  frame.function = f.name();
  frame.file = f.source_file();
  frame.line = static_cast<int>(f.source_line());
  return frame;
}

#ifdef PROCLEAK_HAVE_LIBDW

std::string demangled(const char* name) {
  int status = 0;
  char* out = abi::__cxa_demangle(name, nullptr, nullptr, &status);
  if (status != 0 || out == nullptr) return name;
  std::string text(out);
  std::free(out);
  return text;
}

// libdw's functions, from dlopen: the listener links nothing of elfutils.
class Libdw {
 public:
  static Libdw* load() {
    static Libdw* loaded = [] () -> Libdw* {
      if (!libc_originals().shared_libc) return nullptr;  // never dlopen into a static binary
      static Libdw l;
      return l.open() ? &l : nullptr;
    }();
    return loaded;
  }

  bool symbolize(std::uintptr_t pc, SpawnFrame& frame) {
    const std::lock_guard lock(mutex_);
    Dwfl_Module* module = dwfl_ != nullptr ? addrmodule_(dwfl_, pc) : nullptr;
    if (module == nullptr) {
      // Not loaded when the modules were listed (dlopen since): list again.
      if (!report()) return false;
      module = addrmodule_(dwfl_, pc);
      if (module == nullptr) return false;
    }
    if (const char* name = addrname_(module, pc)) frame.function = demangled(name);
    if (Dwfl_Line* line = getsrc_(module, pc)) {
      int number = 0;
      if (const char* file = lineinfo_(line, nullptr, &number, nullptr, nullptr, nullptr)) {
        frame.file = file;
        frame.line = number;
      }
    }
    return !frame.function.empty() || !frame.file.empty();
  }

 private:
  template <typename F>
  bool resolve(F& f, const char* name) {
    f = reinterpret_cast<F>(::dlsym(handle_, name));
    return f != nullptr;
  }

  bool open() {
    handle_ = ::dlopen("libdw.so.1", RTLD_NOW | RTLD_LOCAL);
    if (handle_ == nullptr) return false;
    if (!resolve(begin_, "dwfl_begin") || !resolve(report_begin_, "dwfl_report_begin") ||
        !resolve(proc_report_, "dwfl_linux_proc_report") || !resolve(report_end_, "dwfl_report_end") ||
        !resolve(addrmodule_, "dwfl_addrmodule") || !resolve(addrname_, "dwfl_module_addrname") ||
        !resolve(getsrc_, "dwfl_module_getsrc") || !resolve(lineinfo_, "dwfl_lineinfo") ||
        !resolve(callbacks_.find_elf, "dwfl_linux_proc_find_elf") ||
        !resolve(callbacks_.find_debuginfo, "dwfl_standard_find_debuginfo")) {
      return false;
    }
    callbacks_.debuginfo_path = &debuginfo_path_;
    dwfl_ = begin_(&callbacks_);
    return dwfl_ != nullptr;
  }

  // The modules of this process, from /proc/self/maps (their files are
  // opened only when an address in them is looked up).
  bool report() {
    if (dwfl_ == nullptr) return false;
    report_begin_(dwfl_);
    const int err = proc_report_(dwfl_, ::getpid());
    return report_end_(dwfl_, nullptr, nullptr) == 0 && err == 0;
  }

  std::mutex mutex_;
  void* handle_ = nullptr;
  Dwfl* dwfl_ = nullptr;
  char* debuginfo_path_ = nullptr;  // the standard places
  Dwfl_Callbacks callbacks_{};
  decltype(&dwfl_begin) begin_ = nullptr;
  decltype(&dwfl_report_begin) report_begin_ = nullptr;
  decltype(&dwfl_linux_proc_report) proc_report_ = nullptr;
  decltype(&dwfl_report_end) report_end_ = nullptr;
  decltype(&dwfl_addrmodule) addrmodule_ = nullptr;
  decltype(&dwfl_module_addrname) addrname_ = nullptr;
  decltype(&dwfl_module_getsrc) getsrc_ = nullptr;
  decltype(&dwfl_lineinfo) lineinfo_ = nullptr;
};

#endif

}  // namespace

SpawnFrame symbolize_address(std::uintptr_t pc) {
#ifdef PROCLEAK_HAVE_LIBDW
  if (Libdw* libdw = Libdw::load()) {
    SpawnFrame frame;
    if (libdw->symbolize(pc, frame)) return frame;
  }
#endif
  return through_libbacktrace(pc);
}

const char* symbolizer_in_use() {
#ifdef PROCLEAK_HAVE_LIBDW
  if (Libdw::load() != nullptr) return "libdw";
#endif
  return "libbacktrace";
}

}  // namespace procleak::spawn_sites
