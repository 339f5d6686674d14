#include "core/acting_user.h"

#include <utility>

namespace openem::acting_user {
namespace {
thread_local std::string t_name;
}

const std::string& current() { return t_name; }

std::string current_or_system() { return t_name.empty() ? std::string(kSystemUser) : t_name; }

void set(std::string name) { t_name = std::move(name); }

Scope::Scope(std::string name) : previous_(std::exchange(t_name, std::move(name))) {}

Scope::~Scope() { t_name = std::move(previous_); }

}  // namespace openem::acting_user
