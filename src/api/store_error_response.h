#pragma once
// The HTTP answer to a store's error (store/store_errors.h), for the router's error translator
// (http/router.h): the store speaks of ids, documents and budgets, the API of statuses.
#include <exception>
#include <optional>

#include "http/message.h"

namespace openem {

// 409 for a taken id, 400 for a document or pattern the store refuses, 503 with Retry-After
// for a spent query budget, 503 for a catalog a newer openem upgraded; nullopt for any other
// exception.
std::optional<HttpResponse> store_error_response(const std::exception& e);

}  // namespace openem
