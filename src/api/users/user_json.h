#pragma once
// The JSON shapes of a user record and its identity as upstream returns them (users
// controller: ReturnedUserDto; user-identities: UserIdentity). Pure functions; thread-safe.
#include <boost/json.hpp>

#include "store/catalog_store.h"

namespace openem {

boost::json::object user_json(const UserRecord& u);
boost::json::object identity_json(const UserRecord& u);

}  // namespace openem
