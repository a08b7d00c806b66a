// IOMB_CHECK: invariants checked, not only written. Active in debug builds (no NDEBUG) and in
// sanitizer builds (IOMB_SANITIZE defines IOMB_CHECKS, although RelWithDebInfo sets NDEBUG);
// compiled out in release, so a check may sit on a per-request path. A failed check prints
// the condition and its place to stderr and aborts. Any thread.
#pragma once

#if !defined(NDEBUG) && !defined(IOMB_CHECKS)
#define IOMB_CHECKS 1
#endif

namespace iomb {

#ifdef IOMB_CHECKS
inline constexpr bool kChecksEnabled = true;
#else
inline constexpr bool kChecksEnabled = false;
#endif

[[noreturn]] void check_failed(const char* condition, const char* file, int line);

}  // namespace iomb

#ifdef IOMB_CHECKS
#define IOMB_CHECK(condition) \
  ((condition) ? static_cast<void>(0) : ::iomb::check_failed(#condition, __FILE__, __LINE__))
#else
// Not evaluated, but still compiled: a check cannot rot in release builds.
#define IOMB_CHECK(condition) static_cast<void>(sizeof(static_cast<bool>(condition)))
#endif
