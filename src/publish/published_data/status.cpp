#include "publish/published_data/status.h"

namespace openem {

std::optional<PublishedStatus> parse_published_status(std::string_view s) {
  if (s == "private") return PublishedStatus::Private;
  if (s == "public") return PublishedStatus::Public;
  if (s == "registered") return PublishedStatus::Registered;
  if (s == "amended") return PublishedStatus::Amended;
  return std::nullopt;
}

const char* published_status_name(PublishedStatus s) {
  switch (s) {
    case PublishedStatus::Private: return "private";
    case PublishedStatus::Public: return "public";
    case PublishedStatus::Registered: return "registered";
    case PublishedStatus::Amended: return "amended";
  }
  return "private";
}

const char* v3_status_name(PublishedStatus s) {
  return s == PublishedStatus::Registered || s == PublishedStatus::Amended ? "registered" : "pending_registration";
}

namespace {

bool handed_to_datacite(PublishedStatus s) { return s == PublishedStatus::Registered || s == PublishedStatus::Amended; }

Refusal wrong_state(const char* what, const char* needed) {
  return {400, std::string("Published data can only be ") + what + " if it is in " + needed + " state."};
}

}  // namespace

std::optional<Refusal> refuse_action(PublishedStatus from, PublishedAction action, const PublishedActor& a,
                                     PublishedApi api) {
  if (action == PublishedAction::Delete) {
    if (!a.delete_group && !a.admin) return Refusal{403, "Forbidden resource"};
    if (api == PublishedApi::V3) return std::nullopt;  // upstream's v3 delete has no instance check
  }
  if (action == PublishedAction::Amend) {
    if (!a.admin) return Refusal{403, "Only admin users can amend published data."};
    if (from != PublishedStatus::Registered) return wrong_state("amended", "registered");
    return std::nullopt;
  }
  // Someone else's record is not found, whatever its state.
  if (!a.admin && !a.creator) return Refusal{404, "Published data not found"};
  if (!a.admin) {
    if (from == PublishedStatus::Private) return std::nullopt;
    switch (action) {
      case PublishedAction::Publish: return wrong_state("published", "private");
      case PublishedAction::Register: return wrong_state("registered", "private");
      case PublishedAction::Resync: return wrong_state("resynced", "private");
      case PublishedAction::Delete: return wrong_state("removed", "private");
      default: return wrong_state("updated", "private");
    }
  }
  switch (action) {
    case PublishedAction::Publish:
      if (from != PublishedStatus::Private) return wrong_state("published", "private");
      return std::nullopt;
    case PublishedAction::Register:
      if (handed_to_datacite(from)) return Refusal{400, "Published data is already registered."};
      return std::nullopt;
    case PublishedAction::Resync:
      if (from == PublishedStatus::Registered)
        return Refusal{400, "Published data is registered; amend it before it can be resynced."};
      return std::nullopt;
    case PublishedAction::Update:
    case PublishedAction::Delete:
      if (handed_to_datacite(from))
        return Refusal{400, "Published data is already registered or amended. It cannot be " +
                                std::string(action == PublishedAction::Update ? "updated." : "removed.")};
      return std::nullopt;
    case PublishedAction::Amend: break;
  }
  return std::nullopt;
}

PublishedStatus status_after(PublishedStatus from, PublishedAction action) {
  switch (action) {
    case PublishedAction::Publish: return PublishedStatus::Public;
    case PublishedAction::Register: return PublishedStatus::Registered;
    case PublishedAction::Amend: return PublishedStatus::Amended;
    case PublishedAction::Resync: return from == PublishedStatus::Amended ? PublishedStatus::Registered : from;
    default: return from;
  }
}

}  // namespace openem
