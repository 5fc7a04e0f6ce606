// Passwords written into URLs (scheme://USER:PASSWORD@HOST/...). They would
// end up in journals, logs, outputs and summaries, so the agent refuses
// them at its edge (credentials travel as request secrets instead) and
// every message that quotes such text goes through RedactUrlPasswords.
#ifndef DSO_STAGES_CORE_URL_PASSWORD_H_
#define DSO_STAGES_CORE_URL_PASSWORD_H_

#include <string>

#include "absl/strings/string_view.h"

namespace dso {

// Whether `text` holds a URL with a password in its user information.
bool HasUrlPassword(absl::string_view text);

// `text` with the password of every such URL replaced by "***".
std::string RedactUrlPasswords(absl::string_view text);

}  // namespace dso

#endif  // DSO_STAGES_CORE_URL_PASSWORD_H_
