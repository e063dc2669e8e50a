#include "admin/http_types.hpp"

#include <boost/beast/http/field.hpp>

namespace disparo::admin {

Response make_response(http::status status, std::string body, std::string_view content_type) {
  Response res{status, 11};
  res.set(http::field::content_type, content_type);
  res.set(http::field::cache_control, "no-store");
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

}  // namespace disparo::admin
