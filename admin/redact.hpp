// Redaction of database connection strings for messages and logs.
//
// Pure; any thread.
#pragma once

#include <string>
#include <string_view>

namespace disparo::admin {

// Removes the password from a libpq URI ("postgresql://u:secret@h/db?password=x" ->
// "postgresql://u@h/db") or conninfo ("host=h password=secret" -> "host=h password=***").
std::string redact_conninfo(std::string_view conninfo);

}  // namespace disparo::admin
