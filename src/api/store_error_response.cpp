#include "api/store_error_response.h"

#include "store/store_errors.h"

namespace openem {

std::optional<HttpResponse> store_error_response(const std::exception& e) {
  const auto* error = dynamic_cast<const StoreError*>(&e);
  if (!error) return std::nullopt;
  switch (error->kind()) {
    case StoreError::Kind::kDuplicateId:
      return HttpResponse::error(409, error->what());
    case StoreError::Kind::kInvalidDocument:
    case StoreError::Kind::kInvalidPattern:
      return HttpResponse::error(400, error->what());
    case StoreError::Kind::kBudgetExceeded: {
      HttpResponse res = HttpResponse::error(503, error->what());
      res.headers.emplace_back("Retry-After", "1");
      return res;
    }
    case StoreError::Kind::kCatalogUpgraded:
      return HttpResponse::error(503, error->what());
  }
  return std::nullopt;
}

}  // namespace openem
