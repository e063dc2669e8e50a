// The list of fuzz targets, for fuzz_corpus_replay_test (explicit wiring: one line per target).
// Each X(name) has tests/fuzz/<name>_fuzz.cpp and seeds in tests/fuzz/corpus/<name>/.
#pragma once

#define DISPARO_FUZZ_TARGETS(X) \
  X(http_request_parser)        \
  X(http_response_parser)       \
  X(cloud_api_webhook)          \
  X(cloud_api_events)           \
  X(evolution_webhook)          \
  X(send_body)                  \
  X(asaas_event)                \
  X(placeholders)
