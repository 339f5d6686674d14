#include "api/streamed_list.h"

#include <memory>

namespace openem {

HttpResponse streamed_documents(App& app, const CollectionSchema& schema, std::vector<std::string> ids,
                                DocumentShape shape) {
  // Small documents are gathered into pieces of about this size; a large one is a piece alone.
  constexpr std::size_t kPieceBytes = 64 * 1024;
  struct State {
    std::vector<std::string> ids;
    std::size_t next = 0;
    bool opened = false, first = true;
  };
  auto state = std::make_shared<State>();
  state->ids = std::move(ids);
  HttpResponse res;
  res.stream = std::make_shared<BodyStream>();
  res.stream->next = [&app, &schema, state, shape = std::move(shape)](std::string& piece) {
    if (!state->opened) {
      piece += '[';
      state->opened = true;
    }
    while (state->next < state->ids.size() && piece.size() < kPieceBytes) {
      auto doc = app.store().get(schema, state->ids[state->next++]);
      if (!doc) continue;
      if (!state->first) piece += ',';
      state->first = false;
      piece += boost::json::serialize(shape(std::move(*doc)));
    }
    if (state->next < state->ids.size()) return true;
    piece += ']';
    return false;
  };
  return res;
}

}  // namespace openem
