// Implementation of cookie_jar.h. Section numbers are RFC 6265's.
#include "harness/load/cookie_jar.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <ctime>

namespace iomb::harness {
namespace {

constexpr int64_t kEarliest = std::numeric_limits<int64_t>::min();

bool is_wsp(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_wsp(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_wsp(s.back())) s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string lowercase(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// §5.1.1 delimiter = %x09 / %x20-2F / %x3B-40 / %x5B-60 / %x7B-7E
bool is_date_delimiter(unsigned char c) {
  return c == 0x09 || (c >= 0x20 && c <= 0x2f) || (c >= 0x3b && c <= 0x40) ||
         (c >= 0x5b && c <= 0x60) || (c >= 0x7b && c <= 0x7e);
}

// Reads 1..max_digits digits at `*at` of `token`, then requires the end or a non-digit.
// Returns false when that shape is not there.
bool read_digits(std::string_view token, size_t* at, size_t min_digits, size_t max_digits,
                 int* value) {
  size_t i = *at;
  int v = 0;
  while (i < token.size() && is_digit(token[i]) && i - *at < max_digits) {
    v = v * 10 + (token[i] - '0');
    ++i;
  }
  if (i - *at < min_digits) return false;
  *at = i;
  *value = v;
  return true;
}

bool ends_or_non_digit(std::string_view token, size_t at) {
  return at == token.size() || !is_digit(token[at]);
}

// time = hms-time ( non-digit *OCTET ); hms-time = 1*2DIGIT ":" 1*2DIGIT ":" 1*2DIGIT
bool match_time(std::string_view token, int* h, int* m, int* s) {
  size_t at = 0;
  if (!read_digits(token, &at, 1, 2, h) || at >= token.size() || token[at] != ':') return false;
  ++at;
  if (!read_digits(token, &at, 1, 2, m) || at >= token.size() || token[at] != ':') return false;
  ++at;
  return read_digits(token, &at, 1, 2, s) && ends_or_non_digit(token, at);
}

// day-of-month = 1*2DIGIT ( non-digit *OCTET ); year = 2*4DIGIT ( non-digit *OCTET )
bool match_number(std::string_view token, size_t min_digits, size_t max_digits, int* value) {
  size_t at = 0;
  return read_digits(token, &at, min_digits, max_digits, value) && ends_or_non_digit(token, at);
}

bool match_month(std::string_view token, int* month) {
  static constexpr std::array<std::string_view, 12> kMonths = {
      "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
  if (token.size() < 3) return false;
  for (int i = 0; i < 12; ++i) {
    if (iequals(token.substr(0, 3), kMonths[static_cast<size_t>(i)])) {
      *month = i + 1;
      return true;
    }
  }
  return false;
}

int days_in_month(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

// §5.1.4 default-path of a request path.
std::string default_path_of(std::string_view path) {
  if (path.empty() || path.front() != '/') return "/";
  const size_t last = path.rfind('/');
  if (last == 0) return "/";
  return std::string(path.substr(0, last));
}

bool is_ip_address(std::string_view host) {
  if (host.find(':') != std::string_view::npos) return true;  // IPv6
  return !host.empty() &&
         std::all_of(host.begin(), host.end(), [](char c) { return is_digit(c) || c == '.'; });
}

// §5.1.3: `host` domain-matches `domain`.
bool domain_match(std::string_view host, std::string_view domain) {
  if (host == domain) return true;
  return !is_ip_address(host) && host.size() > domain.size() && host.ends_with(domain) &&
         host[host.size() - domain.size() - 1] == '.';
}

}  // namespace

CookieJar::CookieJar(std::string host, std::string request_path)
    : host_(lowercase(host)),
      request_path_(std::move(request_path)),
      default_path_(default_path_of(request_path_)) {
  cookies_.reserve(8);
  header_.reserve(256);
  scratch_.reserve(256);
}

bool CookieJar::parse_cookie_date(std::string_view text, int64_t* ms) {
  bool found_time = false, found_day = false, found_month = false, found_year = false;
  int hour = 0, minute = 0, second = 0, day = 0, month = 0, year = 0;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && is_date_delimiter(static_cast<unsigned char>(text[i]))) ++i;
    const size_t start = i;
    while (i < text.size() && !is_date_delimiter(static_cast<unsigned char>(text[i]))) ++i;
    if (i == start) break;
    const std::string_view token = text.substr(start, i - start);
    int h, m, s, v;
    if (!found_time && match_time(token, &h, &m, &s)) {
      found_time = true;
      hour = h, minute = m, second = s;
    } else if (!found_day && match_number(token, 1, 2, &v)) {
      found_day = true;
      day = v;
    } else if (!found_month && match_month(token, &v)) {
      found_month = true;
      month = v;
    } else if (!found_year && match_number(token, 2, 4, &v)) {
      found_year = true;
      year = v;
    }
  }
  if (year >= 70 && year <= 99) year += 1900;
  if (year >= 0 && year <= 69) year += 2000;
  if (!found_time || !found_day || !found_month || !found_year) return false;
  if (day < 1 || day > 31 || year < 1601 || hour > 23 || minute > 59 || second > 59) return false;
  if (day > days_in_month(year, month)) return false;  // February 30: invalid, not rolled over
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  const time_t t = ::timegm(&tm);  // UTC, 64-bit time_t: 1601..9999 fit
  *ms = static_cast<int64_t>(t) * 1000;
  return true;
}

bool CookieJar::apply(std::string_view set_cookie, int64_t now_ms) {
  // §5.2: the name-value pair, then the attributes.
  const size_t semi = set_cookie.find(';');
  const std::string_view pair = set_cookie.substr(0, semi);
  std::string_view attrs =
      semi == std::string_view::npos ? std::string_view() : set_cookie.substr(semi);
  const size_t eq = pair.find('=');
  if (eq == std::string_view::npos) return false;
  const std::string_view name = trim(pair.substr(0, eq));
  const std::string_view value = trim(pair.substr(eq + 1));
  if (name.empty() || name.size() + value.size() > kMaxCookieBytes) return false;

  bool have_max_age = false, have_expires = false, secure = false;
  int64_t max_age_expiry = kNever, expires_expiry = kNever;
  std::string domain, path;
  bool have_path = false;
  while (!attrs.empty()) {
    attrs.remove_prefix(1);  // the ';'
    const size_t next = attrs.find(';');
    const std::string_view av = attrs.substr(0, next);
    attrs = next == std::string_view::npos ? std::string_view() : attrs.substr(next);
    const size_t aeq = av.find('=');
    const std::string_view an = trim(av.substr(0, aeq));
    const std::string_view val =
        aeq == std::string_view::npos ? std::string_view() : trim(av.substr(aeq + 1));
    if (iequals(an, "expires")) {
      int64_t t;
      if (parse_cookie_date(val, &t)) {  // §5.2.1: an unparsable date is ignored
        have_expires = true;
        expires_expiry = t;
      }
    } else if (iequals(an, "max-age")) {
      // §5.2.2: DIGIT or "-", then digits only; anything else is ignored.
      if (val.empty() || !(is_digit(val.front()) || val.front() == '-') ||
          !std::all_of(val.begin() + 1, val.end(), is_digit)) {
        continue;
      }
      int64_t delta = 0;
      auto [p, ec] = std::from_chars(val.data(), val.data() + val.size(), delta);
      if (ec == std::errc::result_out_of_range) {
        delta = val.front() == '-' ? -1 : std::numeric_limits<int64_t>::max();
      } else if (ec != std::errc() || p != val.data() + val.size()) {
        continue;  // "-" alone
      }
      have_max_age = true;
      if (delta <= 0) {
        max_age_expiry = kEarliest;
      } else {
        max_age_expiry = delta > (kNever - now_ms) / 1000 ? kNever - 1 : now_ms + delta * 1000;
      }
    } else if (iequals(an, "domain")) {
      if (val.empty()) continue;  // RFC 6265bis §5.6.3: ignored
      std::string_view d = val;
      if (d.front() == '.') d.remove_prefix(1);
      domain = lowercase(d);
    } else if (iequals(an, "path")) {
      have_path = true;
      path = val.empty() || val.front() != '/' ? default_path_ : std::string(val);
    } else if (iequals(an, "secure")) {
      secure = true;
    }
  }

  // §5.3: the storage model.
  if (secure) return false;  // set over plain HTTP (RFC 6265bis §5.7 step 14)
  const bool host_only = domain.empty();
  if (!host_only && !domain_match(host_, domain)) return false;
  const std::string_view cookie_domain = host_only ? std::string_view(host_) : domain;
  const std::string_view cookie_path = have_path ? std::string_view(path) : default_path_;
  const int64_t expiry = have_max_age ? max_age_expiry : have_expires ? expires_expiry : kNever;

  auto old = std::find_if(cookies_.begin(), cookies_.end(), [&](const Cookie& o) {
    return o.name == name && o.domain == cookie_domain && o.path == cookie_path;
  });
  if (old != cookies_.end()) {
    if (expiry <= now_ms) {  // an expiry in the past deletes
      cookies_.erase(old);
    } else {
      // Replaced in place, keeping its creation time (and its strings' capacity: a cookie the
      // server rewrites at every response, as the cookie store's, costs no allocation).
      old->value.assign(value);
      old->expiry_ms = expiry;
      old->host_only = host_only;
    }
    rebuild();
    return true;
  }
  if (expiry <= now_ms) return false;  // deleting what we do not have
  if (cookies_.size() >= kMaxCookies) {
    cookies_.erase(
        std::min_element(cookies_.begin(), cookies_.end(),
                         [](const Cookie& a, const Cookie& b) { return a.creation < b.creation; }));
  }
  Cookie& n = cookies_.emplace_back();
  n.name.assign(name);
  n.value.assign(value);
  n.domain.assign(cookie_domain);
  n.path.assign(cookie_path);
  n.expiry_ms = expiry;
  n.creation = next_creation_++;
  n.host_only = host_only;
  rebuild();
  return true;
}

bool CookieJar::expire(int64_t now_ms) {
  if (now_ms < next_expiry_ms_) return false;
  const size_t before = cookies_.size();
  std::erase_if(cookies_, [now_ms](const Cookie& c) { return c.expiry_ms <= now_ms; });
  rebuild();
  return cookies_.size() != before;
}

void CookieJar::clear() {
  if (cookies_.empty()) return;
  cookies_.clear();
  rebuild();
}

bool CookieJar::domain_matches(const Cookie& c) const {
  return c.host_only ? host_ == c.domain : domain_match(host_, c.domain);
}

// §5.1.4 path-match.
bool CookieJar::path_matches(const Cookie& c) const {
  const std::string_view req = request_path_, path = c.path;
  if (req == path) return true;
  return req.starts_with(path) && (path.back() == '/' || req[path.size()] == '/');
}

void CookieJar::rebuild() {
  // §5.4: longer paths first, then earlier creation. The jar is small: sort in place.
  std::sort(cookies_.begin(), cookies_.end(), [](const Cookie& a, const Cookie& b) {
    if (a.path.size() != b.path.size()) return a.path.size() > b.path.size();
    return a.creation < b.creation;
  });
  // Built in scratch_ and swapped: both strings keep their capacity.
  scratch_.clear();
  next_expiry_ms_ = kNever;
  for (const Cookie& c : cookies_) {
    next_expiry_ms_ = std::min(next_expiry_ms_, c.expiry_ms);
    if (!domain_matches(c) || !path_matches(c)) continue;
    if (!scratch_.empty()) scratch_.append("; ");
    scratch_.append(c.name).append("=").append(c.value);
  }
  if (scratch_ != header_) {
    header_.swap(scratch_);
    ++version_;
  }
}

}  // namespace iomb::harness
