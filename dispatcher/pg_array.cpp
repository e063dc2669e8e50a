#include "dispatcher/pg_array.hpp"

namespace disparo::dispatch {

void PgArrayBuilder::add(std::string_view value) {
  if (!first_) text_ += ',';
  first_ = false;
  text_ += '"';
  for (char c : value) {
    if (c == '"' || c == '\\') text_ += '\\';
    text_ += c;
  }
  text_ += '"';
}

void PgArrayBuilder::add_null() {
  if (!first_) text_ += ',';
  first_ = false;
  text_ += "NULL";
}

std::string PgArrayBuilder::finish() && {
  text_ += '}';
  return std::move(text_);
}

}  // namespace disparo::dispatch
