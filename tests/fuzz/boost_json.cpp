// Boost.JSON's sources (header-only mode) for the asaas_event fuzz target, which links
// disparo_fuzz_asaas_parser instead of disparo_admin_core (where admin/json.cpp does this).
#include <boost/json/src.hpp>
