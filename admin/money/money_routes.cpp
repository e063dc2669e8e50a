#include "admin/money/money_routes.hpp"

#include "admin/money/asaas_webhook.hpp"
#include "admin/money/dashboard.hpp"
#include "admin/money/export_routes.hpp"
#include "admin/money/openapi_route.hpp"
#include "admin/money/payment_routes.hpp"
#include "admin/money/settings_routes.hpp"

namespace disparo::admin {

void add_money_routes(Router& router, ApiContext& ctx) {
  add_payment_routes(router, ctx);
  add_settings_routes(router, ctx);
  add_dashboard_routes(router, ctx);
  add_asaas_routes(router, ctx);
  add_export_routes(router, ctx);
  add_openapi_routes(router);
}

}  // namespace disparo::admin
