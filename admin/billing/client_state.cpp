#include "admin/billing/client_state.hpp"

#include <algorithm>

namespace disparo::admin::billing {

std::string_view to_string(ClientStatus status) {
  switch (status) {
    case ClientStatus::active: return "active";
    case ClientStatus::overdue: return "overdue";
    case ClientStatus::suspended: return "suspended";
  }
  return "active";
}

std::string_view to_string(ClientCategory category) {
  switch (category) {
    case ClientCategory::lead: return "lead";
    case ClientCategory::active: return "active";
    case ClientCategory::inactive: return "inactive";
    case ClientCategory::archived: return "archived";
  }
  return "lead";
}

ClientStatus client_status(std::optional<std::chrono::sys_days> due_date, int grace_days, bool /*blocked*/,
                           bool /*archived*/, std::chrono::sys_days today) {
  if (!due_date || today <= *due_date) return ClientStatus::active;
  if (today <= *due_date + std::chrono::days(std::max(grace_days, 0))) return ClientStatus::overdue;
  return ClientStatus::suspended;
}

ClientCategory client_category(std::optional<std::chrono::sys_days> last_payment, bool archived,
                               std::chrono::sys_days today) {
  if (archived) return ClientCategory::archived;
  if (!last_payment) return ClientCategory::lead;
  if (*last_payment >= today - std::chrono::days(kActiveWindowDays)) return ClientCategory::active;
  return ClientCategory::inactive;
}

}  // namespace disparo::admin::billing
