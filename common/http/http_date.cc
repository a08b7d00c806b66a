// Implementation of http_date.h.
#include "common/http/http_date.h"

#include <time.h>

namespace iomb::http {
namespace {

void put2(char* out, int v) {
  out[0] = static_cast<char>('0' + v / 10);
  out[1] = static_cast<char>('0' + v % 10);
}

}  // namespace

void format_http_date(std::time_t t, char* out) {
  static constexpr char kDays[] = "SunMonTueWedThuFriSat";
  static constexpr char kMonths[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
  std::tm tm{};
  gmtime_r(&t, &tm);
  // Fixed layout, no locale: "Www, DD Mmm YYYY HH:MM:SS GMT".
  for (int i = 0; i < 3; ++i) out[i] = kDays[tm.tm_wday * 3 + i];
  out[3] = ',';
  out[4] = ' ';
  put2(out + 5, tm.tm_mday);
  out[7] = ' ';
  for (int i = 0; i < 3; ++i) out[8 + i] = kMonths[tm.tm_mon * 3 + i];
  out[11] = ' ';
  int year = tm.tm_year + 1900;
  put2(out + 12, year / 100 % 100);
  put2(out + 14, year % 100);
  out[16] = ' ';
  put2(out + 17, tm.tm_hour);
  out[19] = ':';
  put2(out + 20, tm.tm_min);
  out[22] = ':';
  put2(out + 23, tm.tm_sec);
  out[25] = ' ';
  out[26] = 'G';
  out[27] = 'M';
  out[28] = 'T';
}

std::string_view http_date_now() {
  thread_local std::time_t cached_second = -1;
  thread_local char cached[kHttpDateLength];
  // CLOCK_REALTIME_COARSE is read from the vDSO without a syscall; it lags by at most a tick.
  timespec ts{};
  clock_gettime(CLOCK_REALTIME_COARSE, &ts);
  if (ts.tv_sec != cached_second) {
    format_http_date(ts.tv_sec, cached);
    cached_second = ts.tv_sec;
  }
  return {cached, kHttpDateLength};
}

}  // namespace iomb::http
